//! The inbox: the conversation list (search, filters, unread counts, notifications), the
//! live stream of conversation changes, the thread and reply box, scheduled messages, and
//! keeping the newest answer on screen.

pub mod conversation_list;
pub mod inbox_live;
pub mod latest;
pub mod list_query;
pub mod notify;
pub mod schedule_box;
pub mod thread;
pub mod thread_scroll;
pub mod ticks;
