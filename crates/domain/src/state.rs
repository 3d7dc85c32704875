//! The complaint state machine (R-WF-1 … R-WF-11): for every state and action, either the state
//! it leads to, given its preconditions, or a refusal with a reason.

use crate::codes::{Code, Label, State};

macro_rules! actions {
    ($($variant:ident = $code:literal, $zh:literal, $en:literal;)+) => {
        /// An action of `POST /api/v1/complaints/{number}/actions/{action}` (API.md).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $(#[doc = $en] $variant,)+ }
        impl Code for Action {
            const ALL: &'static [Self] = &[$(Self::$variant,)+];
            fn code(self) -> &'static str { match self { $(Self::$variant => $code,)+ } }
            fn label(self) -> Label { match self { $(Self::$variant => Label { zh: $zh, en: $en },)+ } }
        }
    };
}

actions! {
    Dispatch = "dispatch", "分派", "Dispatch";
    Assign = "assign", "指定处理人", "Assign a handler";
    Respond = "respond", "首次响应", "First response";
    Assess = "assess", "核实评估", "Assess";
    ProposePlan = "propose_plan", "提交处理方案", "Propose a plan";
    ApprovePlan = "approve_plan", "批准方案", "Approve the plan";
    RejectPlan = "reject_plan", "驳回方案", "Reject the plan";
    Reply = "reply", "答复客户", "Reply";
    Confirm = "confirm", "客户确认", "Customer confirms";
    Object = "object", "客户异议", "Customer objects";
    Callback = "callback", "回访", "Callback";
    Close = "close", "结案", "Close";
    Archive = "archive", "归档", "Archive";
    Withdraw = "withdraw", "撤诉", "Withdraw";
    Reopen = "reopen", "重新打开", "Reopen";
    Merge = "merge", "合并", "Merge";
    Extend = "extend", "延期", "Extend a deadline";
    Escalate = "escalate", "升级", "Escalate";
    Note = "note", "备注", "Internal note";
    LogContact = "log_contact", "沟通记录", "Log a contact";
}

/// What the state machine needs to know about a complaint besides its state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// A lead department has been set (R-WF-2).
    pub dispatched: bool,
    /// A handler has been assigned.
    pub has_handler: bool,
    /// The assessment has been recorded (R-WF-4).
    pub assessed: bool,
    /// Approval tiers still needed for the current plan (R-WF-5); 0 when none or all approved.
    pub approvals_pending: u8,
    /// A plan has been approved or needed no approval, and is being carried out.
    pub plan_in_force: bool,
    /// A callback was recorded, or the reason it was impossible (R-WF-9).
    pub callback_done: bool,
    /// The last callback recorded dissatisfaction (R-WF-8).
    pub dissatisfied: bool,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Plain-words reason, in English (the API's `detail`).
    pub reason: String,
}

fn refuse(reason: impl Into<String>) -> Result<State, Refusal> {
    Err(Refusal { reason: reason.into() })
}

/// States in which the customer's matter is still being worked on.
pub fn is_open(s: State) -> bool {
    s.is_open()
}

/// The state `action` leads to from `state`, or why it may not be taken.
pub fn next(state: State, action: Action, f: &Facts) -> Result<State, Refusal> {
    use Action as A;
    use State as S;
    if state == S::Archived {
        return refuse("an archived complaint is immutable (R-WF-9)");
    }
    if matches!(state, S::Withdrawn | S::Merged) && !matches!(action, A::Note) {
        return refuse(format!("the complaint is {}; only notes may be added", state.code()));
    }
    match (action, state) {
        // Internal notes and contact records never change the state (R-WF-6).
        (A::Note, _) => Ok(state),
        (A::LogContact, S::Closed) => refuse("the complaint is closed; reopen it to record further contact"),
        (A::LogContact, _) => Ok(state),

        (A::Dispatch, S::Registered | S::Dispatched) => Ok(S::Dispatched),
        (A::Dispatch, S::Investigating) => Ok(S::Dispatched),
        (A::Dispatch, _) => refuse("only a registered, dispatched or investigating complaint can be (re)dispatched"),

        (A::Assign, S::Dispatched | S::Investigating | S::Implementing) if f.dispatched => Ok(state),
        (A::Assign, S::Dispatched | S::Investigating | S::Implementing) => refuse("dispatch to a department first"),
        (A::Assign, _) => {
            refuse("a handler is assigned while the complaint is dispatched, investigated or implemented")
        }

        (A::Respond, S::Dispatched) if f.has_handler => Ok(S::Investigating),
        (A::Respond, S::Dispatched) => refuse("assign a handler first; the first response names the handler"),
        (A::Respond, _) => refuse("the first response follows dispatch"),

        (A::Assess, S::Investigating) => Ok(S::Investigating),
        (A::Assess, _) => refuse("the assessment is recorded during investigation (R-WF-4)"),

        (A::ProposePlan, S::Investigating) if !f.assessed => {
            refuse("record the assessment before proposing a plan (R-WF-4)")
        }
        (A::ProposePlan, S::Investigating) if f.approvals_pending > 0 => Ok(S::AwaitingApproval),
        (A::ProposePlan, S::Investigating) => Ok(S::Implementing),
        (A::ProposePlan, _) => refuse("a plan is proposed during investigation"),

        (A::ApprovePlan, S::AwaitingApproval) if f.approvals_pending > 1 => Ok(S::AwaitingApproval),
        (A::ApprovePlan, S::AwaitingApproval) => Ok(S::Implementing),
        (A::RejectPlan, S::AwaitingApproval) => Ok(S::Investigating),
        (A::ApprovePlan | A::RejectPlan, _) => refuse("no plan is awaiting approval"),

        (A::Reply, S::Implementing) => Ok(S::Replied),
        (A::Reply, S::Investigating) if f.assessed => Ok(S::Replied),
        (A::Reply, S::Investigating) => refuse("record the assessment before replying (R-WF-4)"),
        (A::Reply, _) => refuse("a reply follows the investigation or the plan"),

        (A::Confirm | A::Object, S::Replied) => Ok(if action == A::Confirm {
            S::AwaitingCallback
        } else {
            S::Investigating
        }),
        (A::Confirm | A::Object, _) => refuse("the customer confirms or objects to a reply"),

        (A::Callback, S::AwaitingCallback) => Ok(S::AwaitingCallback),
        (A::Callback, _) => refuse("the callback follows the customer's confirmation (R-WF-8)"),

        (A::Close, S::AwaitingCallback) if !f.callback_done => {
            refuse("record the callback, or why it was impossible, before closing (R-WF-9)")
        }
        (A::Close, S::AwaitingCallback) if f.dissatisfied => {
            refuse("the customer was dissatisfied at callback; reopen or escalate (R-WF-8)")
        }
        (A::Close, S::AwaitingCallback) => Ok(S::Closed),
        // Resolved on the spot at intake (当场解决, R-IN-4).
        (A::Close, S::Registered) => Ok(S::Closed),
        (A::Close, _) => refuse("a complaint closes after the callback, or at intake when resolved on the spot"),

        (A::Archive, S::Closed) => Ok(S::Archived),
        (A::Archive, _) => refuse("only a closed complaint can be archived"),

        (A::Reopen, S::Closed | S::Replied | S::AwaitingCallback) => Ok(S::Investigating),
        (A::Reopen, _) => refuse("only a replied, confirmed or closed complaint can be reopened"),

        (A::Withdraw | A::Merge, s) if s.is_open() => Ok(if action == A::Withdraw { S::Withdrawn } else { S::Merged }),
        (A::Withdraw | A::Merge, _) => refuse("only an open complaint can be withdrawn or merged"),

        (A::Extend | A::Escalate, s) if s.is_open() => Ok(state),
        (A::Extend | A::Escalate, _) => refuse("only an open complaint's deadlines can be extended or escalated"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use State as S;

    /// Facts under which every precondition holds, except where a test says otherwise.
    fn ready() -> Facts {
        Facts {
            dispatched: true,
            has_handler: true,
            assessed: true,
            approvals_pending: 0,
            plan_in_force: true,
            callback_done: true,
            dissatisfied: false,
        }
    }

    /// The expected outcome of every state × action pair with every precondition met;
    /// `None` is a refusal. Rows are states in API.md order; columns are actions in API.md order.
    #[test]
    fn every_state_and_action_pair() {
        use State::*;
        const X: Option<State> = None;
        // dispatch, assign, respond, assess, propose_plan, approve_plan, reject_plan, reply, confirm, object,
        // callback, close, archive, withdraw, reopen, merge, extend, escalate, note, log_contact
        let table: [(State, [Option<State>; 20]); 11] = [
            (
                Registered,
                [
                    Some(Dispatched),
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Closed),
                    X,
                    Some(Withdrawn),
                    X,
                    Some(Merged),
                    Some(Registered),
                    Some(Registered),
                    Some(Registered),
                    Some(Registered),
                ],
            ),
            (
                Dispatched,
                [
                    Some(Dispatched),
                    Some(Dispatched),
                    Some(Investigating),
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Withdrawn),
                    X,
                    Some(Merged),
                    Some(Dispatched),
                    Some(Dispatched),
                    Some(Dispatched),
                    Some(Dispatched),
                ],
            ),
            (
                Investigating,
                [
                    Some(Dispatched),
                    Some(Investigating),
                    X,
                    Some(Investigating),
                    Some(Implementing),
                    X,
                    X,
                    Some(Replied),
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Withdrawn),
                    X,
                    Some(Merged),
                    Some(Investigating),
                    Some(Investigating),
                    Some(Investigating),
                    Some(Investigating),
                ],
            ),
            (
                AwaitingApproval,
                [
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Implementing),
                    Some(Investigating),
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Withdrawn),
                    X,
                    Some(Merged),
                    Some(AwaitingApproval),
                    Some(AwaitingApproval),
                    Some(AwaitingApproval),
                    Some(AwaitingApproval),
                ],
            ),
            (
                Implementing,
                [
                    X,
                    Some(Implementing),
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Replied),
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Withdrawn),
                    X,
                    Some(Merged),
                    Some(Implementing),
                    Some(Implementing),
                    Some(Implementing),
                    Some(Implementing),
                ],
            ),
            (
                Replied,
                [
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(AwaitingCallback),
                    Some(Investigating),
                    X,
                    X,
                    X,
                    Some(Withdrawn),
                    Some(Investigating),
                    Some(Merged),
                    Some(Replied),
                    Some(Replied),
                    Some(Replied),
                    Some(Replied),
                ],
            ),
            (
                AwaitingCallback,
                [
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(AwaitingCallback),
                    Some(Closed),
                    X,
                    Some(Withdrawn),
                    Some(Investigating),
                    Some(Merged),
                    Some(AwaitingCallback),
                    Some(AwaitingCallback),
                    Some(AwaitingCallback),
                    Some(AwaitingCallback),
                ],
            ),
            (
                Closed,
                [
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    X,
                    Some(Archived),
                    X,
                    Some(Investigating),
                    X,
                    X,
                    X,
                    Some(Closed),
                    X,
                ],
            ),
            (Archived, [X; 20]),
            (
                Withdrawn,
                [X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, Some(Withdrawn), X],
            ),
            (
                Merged,
                [X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, Some(Merged), X],
            ),
        ];
        assert_eq!(table.len(), State::ALL.len());
        let mut checked = 0;
        for (state, row) in table {
            for (action, want) in Action::ALL.iter().zip(row) {
                let got = next(state, *action, &ready());
                match (want, &got) {
                    (Some(w), Ok(g)) => assert_eq!(w, *g, "{} × {}", state.code(), action.code()),
                    (None, Err(r)) => assert!(
                        !r.reason.is_empty(),
                        "{} × {} refused without a reason",
                        state.code(),
                        action.code()
                    ),
                    _ => panic!("{} × {}: expected {want:?}, got {got:?}", state.code(), action.code()),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 220);
    }

    /// Each precondition, missing, turns a legal transition into a refusal that says why.
    #[test]
    fn preconditions() {
        let cases: [(State, Action, Facts, &str); 8] = [
            (
                S::Dispatched,
                Action::Assign,
                Facts {
                    dispatched: false,
                    ..ready()
                },
                "dispatch",
            ),
            (
                S::Dispatched,
                Action::Respond,
                Facts {
                    has_handler: false,
                    ..ready()
                },
                "handler",
            ),
            (
                S::Investigating,
                Action::ProposePlan,
                Facts {
                    assessed: false,
                    ..ready()
                },
                "assessment",
            ),
            (
                S::Investigating,
                Action::Reply,
                Facts {
                    assessed: false,
                    ..ready()
                },
                "assessment",
            ),
            (
                S::AwaitingCallback,
                Action::Close,
                Facts {
                    callback_done: false,
                    ..ready()
                },
                "callback",
            ),
            (
                S::AwaitingCallback,
                Action::Close,
                Facts {
                    dissatisfied: true,
                    ..ready()
                },
                "dissatisfied",
            ),
            (S::Archived, Action::Note, ready(), "immutable"),
            (S::Merged, Action::Reply, ready(), "only notes"),
        ];
        for (state, action, facts, word) in cases {
            let r = next(state, action, &facts).unwrap_err();
            assert!(
                r.reason.contains(word),
                "{} × {}: {}",
                state.code(),
                action.code(),
                r.reason
            );
        }
    }

    /// Plans that need approval wait for every tier; a rejection goes back to investigation.
    #[test]
    fn approval_tiers() {
        let needs = |n| Facts {
            approvals_pending: n,
            ..ready()
        };
        assert_eq!(
            next(S::Investigating, Action::ProposePlan, &needs(2)),
            Ok(S::AwaitingApproval)
        );
        assert_eq!(
            next(S::AwaitingApproval, Action::ApprovePlan, &needs(2)),
            Ok(S::AwaitingApproval)
        );
        assert_eq!(
            next(S::AwaitingApproval, Action::ApprovePlan, &needs(1)),
            Ok(S::Implementing)
        );
        assert_eq!(
            next(S::AwaitingApproval, Action::RejectPlan, &needs(1)),
            Ok(S::Investigating)
        );
    }

    #[test]
    fn action_codes_match_api_md() {
        let codes: Vec<_> = Action::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(
            codes,
            [
                "dispatch",
                "assign",
                "respond",
                "assess",
                "propose_plan",
                "approve_plan",
                "reject_plan",
                "reply",
                "confirm",
                "object",
                "callback",
                "close",
                "archive",
                "withdraw",
                "reopen",
                "merge",
                "extend",
                "escalate",
                "note",
                "log_contact"
            ]
        );
    }
}
