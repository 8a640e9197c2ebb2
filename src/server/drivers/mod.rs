//! The seam to WhatsApp ([`driver::Driver`]) and its two sides: the live whatsapp-rust
//! client and the simulator (a fake WhatsApp network, in process or shared over HTTP).

pub mod assertion;
pub mod driver;
pub mod live;
pub mod simulator;
