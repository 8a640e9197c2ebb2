//! The inbox: the live stream of conversation changes, the thread and reply box, scheduled
//! messages, and keeping the newest answer on screen.

pub mod inbox_live;
pub mod latest;
pub mod schedule_box;
pub mod thread;
