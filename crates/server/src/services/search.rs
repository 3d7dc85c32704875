//! Keeping the full-text index whole (R-AN-1): complaints written before the index existed are
//! segmented and indexed when the server starts, a batch per transaction.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use futures::FutureExt;

/// Indexes every complaint that has no document yet; returns how many.
pub async fn backfill(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    let mut after = None;
    loop {
        let batch = {
            let mut r = state.store.reader().await?;
            store::search::unindexed(&mut r.conn(), after, 500).await?
        };
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = Some(last.0);
        let docs: Vec<(uuid::Uuid, Vec<String>)> = batch
            .into_iter()
            .map(|(id, subject, description, demands)| {
                let text = format!("{subject}\n{description}\n{}", demands.unwrap_or_default());
                (id, domain::search::index_words(&text))
            })
            .collect();
        done += docs.len();
        state
            .store
            .write(move |c| {
                async move {
                    for (id, words) in &docs {
                        store::search::add_words(c, *id, words).await?;
                    }
                    Ok::<_, AppError>(())
                }
                .boxed()
            })
            .await?;
    }
}
