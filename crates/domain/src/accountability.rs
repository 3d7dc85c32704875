//! Accountability arithmetic (R-AC-1, R-AC-2; seed 001-4 客户投诉行政处罚准则): responsibility
//! shares that make exactly 100%, and a person's monthly deductions capped at half of that
//! month's efficiency bonus with the rest carried into later months. Money is integer fen.

/// Basis points in a whole: shares are kept to the hundredth of a percent (100.00% = 10,000).
pub const WHOLE: i64 = 10_000;

/// Why a set of responsibility shares is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// No party named.
    Empty,
    /// A share of zero or below, or above the whole (index of the party).
    OutOfRange(usize),
    /// The same party twice (index of the second).
    Duplicate(usize),
    /// The shares do not make 100% (their sum, in basis points).
    Sum(i64),
}

/// Checks responsibility shares `(party, basis points)`: each in (0, 100%], no party twice,
/// together exactly 100%.
pub fn check_shares<P: PartialEq>(shares: &[(P, i64)]) -> Result<(), ShareError> {
    if shares.is_empty() {
        return Err(ShareError::Empty);
    }
    for (i, (party, bp)) in shares.iter().enumerate() {
        if *bp <= 0 || *bp > WHOLE {
            return Err(ShareError::OutOfRange(i));
        }
        if shares[..i].iter().any(|(p, _)| p == party) {
            return Err(ShareError::Duplicate(i));
        }
    }
    let sum: i64 = shares.iter().map(|(_, bp)| bp).sum();
    if sum != WHOLE {
        return Err(ShareError::Sum(sum));
    }
    Ok(())
}

/// Splits an amount in fen by shares so the parts add up to it exactly: each part is rounded
/// down, and the fen left over go one each to the largest remainders (earlier parties first on
/// ties).
pub fn split(amount: i64, shares: &[i64]) -> Vec<i64> {
    let mut parts: Vec<i64> = shares.iter().map(|bp| amount * bp / WHOLE).collect();
    let mut left = amount - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by_key(|&i| (-(amount * shares[i] % WHOLE), i));
    for i in order {
        if left <= 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// One month of a person's deductions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthDeduction {
    /// Carried in from earlier months.
    pub carried_in: i64,
    /// Penalties assessed this month.
    pub assessed: i64,
    /// The cap: half of this month's efficiency bonus (rounded down to the fen).
    pub cap: i64,
    /// Deducted from this month's pay.
    pub deducted: i64,
    /// Left to carry into the next month.
    pub carried_out: i64,
}

/// The share of the month's efficiency bonus that may be deducted in one month, in percent.
pub const CAP_PERCENT: i64 = 50;

/// Settles months in order: each `(efficiency bonus, penalties assessed)` in fen. A month
/// deducts what is due (carried in plus assessed) up to half of its bonus; the rest carries on.
pub fn settle(months: &[(i64, i64)]) -> Vec<MonthDeduction> {
    let mut carried = 0;
    months
        .iter()
        .map(|&(bonus, assessed)| {
            let cap = bonus.max(0) * CAP_PERCENT / 100;
            let due = carried + assessed.max(0);
            let deducted = due.min(cap);
            let m = MonthDeduction {
                carried_in: carried,
                assessed: assessed.max(0),
                cap,
                deducted,
                carried_out: due - deducted,
            };
            carried = m.carried_out;
            m
        })
        .collect()
}

/// The configurable amounts of the ledger, in fen per base (R-AC-2: "amounts configurable").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    /// 警告: from 400 yuan.
    pub warning: i64,
    /// 小过: 800 yuan per base.
    pub minor_demerit: i64,
    /// 嘉奖.
    pub commendation: i64,
    /// 记功.
    pub merit: i64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            warning: 40_000,
            minor_demerit: 80_000,
            commendation: 20_000,
            merit: 50_000,
        }
    }
}

/// Why an entry's amount cannot be worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Bases must be 1 to 12.
    Bases,
    /// A major demerit takes the month's efficiency bonus, which is not recorded.
    NoBonus,
    /// A bonus reward needs its amount, above zero and at most 1,000,000 yuan.
    Amount,
}

/// The amount in fen of a ledger entry: a warning, minor demerit, commendation or merit is its
/// rate times the bases; a major demerit is the month's whole efficiency bonus; a bonus reward
/// is the amount given. Penalties and rewards are both positive; [`is_penalty`] tells them apart.
pub fn amount(
    kind: crate::SanctionKind,
    bases: i64,
    bonus: Option<i64>,
    given: Option<i64>,
    rates: &Rates,
) -> Result<i64, AmountError> {
    use crate::SanctionKind as K;
    if !(1..=12).contains(&bases) {
        return Err(AmountError::Bases);
    }
    Ok(match kind {
        K::Warning => rates.warning * bases,
        K::MinorDemerit => rates.minor_demerit * bases,
        K::MajorDemerit => bonus.filter(|b| *b >= 0).ok_or(AmountError::NoBonus)?,
        K::Commendation => rates.commendation * bases,
        K::Merit => rates.merit * bases,
        K::Reward => given
            .filter(|a| (1..=100_000_000).contains(a))
            .ok_or(AmountError::Amount)?,
    })
}

/// Whether an entry is deducted (a penalty) rather than paid (a reward).
pub fn is_penalty(kind: crate::SanctionKind) -> bool {
    use crate::SanctionKind as K;
    matches!(kind, K::Warning | K::MinorDemerit | K::MajorDemerit)
}

/// The most a region's customer-relations expense budget may be: 0.5‰ of its annual sales
/// target (seed 004 客户关系费用 4.2), rounded down to the fen.
pub fn budget_cap(sales_target_fen: i64) -> i64 {
    sales_target_fen.max(0) / 2_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_must_make_exactly_one_hundred_percent() {
        assert_eq!(check_shares(&[("工程部", 6_000), ("物业", 4_000)]), Ok(()));
        assert_eq!(check_shares(&[("工程部", 10_000)]), Ok(()));
        assert_eq!(check_shares::<&str>(&[]), Err(ShareError::Empty));
        assert_eq!(
            check_shares(&[("工程部", 6_000), ("物业", 3_999)]),
            Err(ShareError::Sum(9_999))
        );
        assert_eq!(
            check_shares(&[("工程部", 6_000), ("物业", 4_001)]),
            Err(ShareError::Sum(10_001))
        );
        assert_eq!(check_shares(&[("工程部", 10_001)]), Err(ShareError::OutOfRange(0)));
        assert_eq!(
            check_shares(&[("工程部", 10_000), ("物业", 0)]),
            Err(ShareError::OutOfRange(1))
        );
        assert_eq!(
            check_shares(&[("工程部", 11_000), ("物业", -1_000)]),
            Err(ShareError::OutOfRange(0))
        );
        assert_eq!(
            check_shares(&[("物业", 5_000), ("物业", 5_000)]),
            Err(ShareError::Duplicate(1))
        );
    }

    #[test]
    fn splits_add_up_to_the_fen() {
        // (amount, shares, parts)
        for (amount, shares, parts) in [
            (100_000, vec![6_000, 4_000], vec![60_000, 40_000]),
            (100, vec![3_333, 3_333, 3_334], vec![33, 33, 34]),
            (1, vec![5_000, 5_000], vec![1, 0]),
            (10, vec![3_333, 3_333, 3_334], vec![3, 3, 4]),
            (0, vec![10_000], vec![0]),
        ] {
            let got = split(amount, &shares);
            assert_eq!(got, parts, "{amount} by {shares:?}");
            assert_eq!(got.iter().sum::<i64>(), amount);
        }
    }

    #[test]
    fn deductions_are_capped_at_half_the_bonus_and_carried_over() {
        // Bonus 3,000 yuan a month. A major demerit in January (the month's bonus, 3,000 yuan)
        // and a warning (400 yuan): 3,400 due, 1,500 deducted, 1,900 carried. February has a
        // minor demerit (800): 2,700 due, 1,500 deducted, 1,200 carried. March: nothing new,
        // 1,200 deducted. April: nothing.
        let y = 100; // fen per yuan
        let months = [
            (3_000 * y, 3_400 * y),
            (3_000 * y, 800 * y),
            (3_000 * y, 0),
            (3_000 * y, 0),
        ];
        let got = settle(&months);
        let want = [
            (0, 3_400, 1_500, 1_500, 1_900),
            (1_900, 800, 1_500, 1_500, 1_200),
            (1_200, 0, 1_500, 1_200, 0),
            (0, 0, 1_500, 0, 0),
        ];
        for (m, (carried_in, assessed, cap, deducted, carried_out)) in got.iter().zip(want) {
            assert_eq!(
                *m,
                MonthDeduction {
                    carried_in: carried_in * y,
                    assessed: assessed * y,
                    cap: cap * y,
                    deducted: deducted * y,
                    carried_out: carried_out * y,
                }
            );
        }
        let total_deducted: i64 = got.iter().map(|m| m.deducted).sum();
        assert_eq!(total_deducted, 4_200 * y, "everything assessed is eventually deducted");
    }

    #[test]
    fn the_budget_is_capped_at_half_a_per_mille_of_the_sales_target() {
        // A 20-billion-yuan target allows a 10-million-yuan budget.
        assert_eq!(budget_cap(20_000_000_000 * 100), 10_000_000 * 100);
        assert_eq!(budget_cap(1_999), 0);
        assert_eq!(budget_cap(2_000), 1);
        assert_eq!(budget_cap(-5), 0);
    }

    #[test]
    fn amounts_by_kind() {
        use crate::SanctionKind as K;
        let r = Rates::default();
        for (kind, bases, bonus, given, want) in [
            (K::Warning, 1, None, None, Ok(40_000)),
            (K::MinorDemerit, 2, None, None, Ok(160_000)),
            (K::MajorDemerit, 1, Some(300_000), None, Ok(300_000)),
            (K::MajorDemerit, 1, None, None, Err(AmountError::NoBonus)),
            (K::Commendation, 1, None, None, Ok(20_000)),
            (K::Merit, 3, None, None, Ok(150_000)),
            (K::Reward, 1, None, Some(123_456), Ok(123_456)),
            (K::Reward, 1, None, Some(0), Err(AmountError::Amount)),
            (K::Reward, 1, None, Some(-5), Err(AmountError::Amount)),
            (K::Warning, 0, None, None, Err(AmountError::Bases)),
            (K::Warning, 13, None, None, Err(AmountError::Bases)),
        ] {
            assert_eq!(amount(kind, bases, bonus, given, &r), want, "{kind:?}");
        }
        assert!(is_penalty(K::MajorDemerit) && !is_penalty(K::Merit));
    }

    #[test]
    fn a_month_without_bonus_deducts_nothing_and_odd_fen_round_down() {
        let got = settle(&[(0, 40_000), (99_999, 0), (100_000, 0)]);
        assert_eq!((got[0].deducted, got[0].carried_out), (0, 40_000));
        assert_eq!((got[1].cap, got[1].deducted, got[1].carried_out), (49_999, 40_000, 0));
        assert_eq!(got[2].deducted, 0);
    }
}
