//! Webhooks: events pushed to a company's own HTTPS endpoints. What is built so far is the
//! part every delivery relies on: the body's signature a receiver checks (`signature`),
//! the endpoint's address checked against private networks after DNS (`target`), and when
//! a failed delivery is tried again (`retry`).

pub mod retry;
pub mod signature;
pub mod target;
