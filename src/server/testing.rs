//! Helpers the server's tests share.

use std::time::Duration;

use tokio::time::Instant;

/// Polls until `check` returns `Some`, for up to 10 s; fails the test otherwise. It returns
/// as soon as the condition holds: the bound only matters on a loaded machine (the whole
/// suite at once on 2 cores has missed 5 s), where a real failure still fails.
pub async fn eventually<T, F, Fut>(check: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "condition not met within 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
