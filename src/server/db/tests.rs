use super::testing::with_db;
use super::*;

#[tokio::test]
async fn closing_is_bounded_even_with_a_connection_checked_out() {
    with_db(|db| async move {
        let returned = on_pool!(&db, pool => pool.acquire().await.map(|_| ()));
        returned.unwrap();
        assert!(db.close_within(Duration::from_secs(5)).await);
    })
    .await;
    with_db(|db| async move {
        let started = std::time::Instant::now();
        on_pool!(&db, pool => {
            let _held = pool.acquire().await.unwrap();
            db.close_within(Duration::from_millis(300)).await;
        });
        assert!(started.elapsed() < Duration::from_secs(2));
    })
    .await;
}
