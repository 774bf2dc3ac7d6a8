//! The production connectors against a real HTTP receiver on 127.0.0.1: what they send, how
//! they read answers, and how they retry, time out and give up. One test binary for all of them,
//! so the shared receiver is compiled and linked once.

mod bank;
mod billers;
mod identity;
mod rates;
mod receiver;
mod sms;
mod webhook;
