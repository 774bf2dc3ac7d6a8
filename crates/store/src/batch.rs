//! What both backends share of group commit: the queue of waiting callers, which rows a batch must
//! load, running the batch through the ledger core, and the rows it must write.

use qianbao_ledger::{
    Account, AccountId, Applied, Book, EntryId, Hold, HoldState, Instruction, Link, Rejection, link,
};
use qianbao_wallet::StoreError;
use tokio::sync::{mpsc, oneshot};

/// A caller's result: storage failed (outer) or the ledger decided (inner).
pub type Outcome = Result<Result<Applied, Rejection>, StoreError>;

/// One caller waiting for its instruction to be committed.
pub struct Request {
    /// What to apply.
    pub instruction: Instruction,
    /// Where its result goes.
    pub reply: oneshot::Sender<Outcome>,
}

/// Sends `instruction` to the writer behind `queue` and waits for its own result.
pub async fn submit(queue: &mpsc::Sender<Request>, instruction: Instruction) -> Outcome {
    let (reply, answer) = oneshot::channel();
    queue
        .send(Request { instruction, reply })
        .await
        .map_err(|_| StoreError::Unavailable("the ledger writer has stopped".into()))?;
    answer
        .await
        .map_err(|_| StoreError::Unavailable("the ledger writer stopped mid-batch".into()))?
}

/// Moves the waiting requests, up to `max`, behind `first` into one batch.
pub fn drain(first: Request, queue: &mut mpsc::Receiver<Request>, max: usize) -> Vec<Request> {
    let mut batch = Vec::with_capacity(max.min(64));
    batch.push(first);
    while batch.len() < max {
        match queue.try_recv() {
            Ok(request) => batch.push(request),
            Err(_) => break,
        }
    }
    batch
}

/// Answers every caller of a batch: each with its own result, or all with the storage failure.
/// Records the batch's size, commit time and outcomes in the metrics.
pub fn answer(
    batch: Vec<Request>,
    results: Result<Vec<Result<Applied, Rejection>>, StoreError>,
    took: std::time::Duration,
) {
    metrics::histogram!("qianbao_ledger_batch_size").record(batch.len() as f64);
    metrics::histogram!("qianbao_ledger_commit_seconds").record(took.as_secs_f64());
    match results {
        Ok(results) => {
            for result in &results {
                let outcome = match result {
                    Ok(Applied::New) => "applied",
                    Ok(Applied::Replayed) => "replayed",
                    Err(_) => "rejected",
                };
                metrics::counter!("qianbao_ledger_instructions_total", "outcome" => outcome)
                    .increment(1);
            }
            for (request, result) in batch.into_iter().zip(results) {
                // A caller that gave up waiting no longer needs its answer.
                let _ = request.reply.send(Ok(result));
            }
        }
        Err(e) => {
            metrics::counter!("qianbao_ledger_instructions_total", "outcome" => "storage_failed")
                .increment(batch.len() as u64);
            let message = e.to_string();
            for request in batch {
                let _ = request
                    .reply
                    .send(Err(StoreError::Unavailable(message.clone())));
            }
        }
    }
}

/// The holds a batch's posts and voids act on, which must be loaded first.
pub fn hold_ids(instructions: &[Instruction]) -> Vec<EntryId> {
    let mut ids: Vec<EntryId> = instructions.iter().filter_map(Instruction::hold).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Every account a batch touches, in ascending order (the order locks are taken in).
pub fn account_ids(instructions: &[Instruction], book: &Book) -> Vec<AccountId> {
    let mut ids: Vec<AccountId> = instructions
        .iter()
        .flat_map(|i| i.postings().iter().map(|p| p.account))
        .chain(
            book.holds()
                .flat_map(|h| h.postings.iter().map(|p| p.account)),
        )
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The ids a batch would create, to find any that already exist (retries).
pub fn entry_ids(instructions: &[Instruction]) -> Vec<EntryId> {
    let mut ids: Vec<EntryId> = instructions.iter().map(Instruction::id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A journal line to append.
pub struct Line {
    /// Its position.
    pub seq: i64,
    /// The entry's id.
    pub entry_id: EntryId,
    /// Its canonical text.
    pub text: String,
    /// Its link in the chain.
    pub link: Link,
}

/// Everything a batch writes.
pub struct Writes {
    /// Accounts with their new balance and held.
    pub accounts: Vec<Account>,
    /// New journal lines in order.
    pub lines: Vec<Line>,
    /// Holds made or changed: id, hold instruction text, state.
    pub holds: Vec<(EntryId, String, HoldState)>,
    /// The new end of the chain.
    pub head: (i64, Link),
}

/// Runs a batch through `book` (which holds what the batch loaded) after the chain head `head`.
pub fn run(
    book: &mut Book,
    instructions: &[Instruction],
    head: (i64, Link),
) -> (Vec<Result<Applied, Rejection>>, Writes) {
    let results = instructions.iter().map(|i| book.apply(i)).collect();
    let accounts = book.dirty_accounts().cloned().collect();
    let (applied, holds) = book.take_changes();
    let (mut seq, mut prev) = head;
    let lines = applied
        .into_iter()
        .map(|instruction| {
            seq += 1;
            let text = instruction.encode();
            prev = link(&prev, seq.unsigned_abs(), &text);
            Line {
                seq,
                entry_id: instruction.id(),
                text,
                link: prev,
            }
        })
        .collect();
    let holds = holds
        .into_iter()
        .map(|h| (h.id, hold_text(&h), h.state))
        .collect();
    (
        results,
        Writes {
            accounts,
            lines,
            holds,
            head: (seq, prev),
        },
    )
}

/// The stored text of a hold: the instruction that made it.
pub fn hold_text(hold: &Hold) -> String {
    Instruction::Hold {
        id: hold.id,
        postings: hold.postings.clone(),
    }
    .encode()
}

/// Reads a stored hold back.
pub fn hold_from_row(text: &str, state: &str) -> Result<Hold, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("hold row {text:?} ({state})"));
    let state = HoldState::parse(state).ok_or_else(corrupt)?;
    match Instruction::decode(text) {
        Ok(Instruction::Hold { id, postings }) => Ok(Hold {
            id,
            postings,
            state,
        }),
        _ => Err(corrupt()),
    }
}

/// Reads a stored journal line's instruction back.
pub fn instruction_from_row(text: &str) -> Result<Instruction, StoreError> {
    Instruction::decode(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Reads a stored account back.
pub fn account_from_row(
    id: i64,
    kind: &str,
    currency: &str,
    balance: i64,
    held: i64,
) -> Result<Account, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("account row {id} ({kind}, {currency})"));
    Ok(Account {
        id: AccountId(id),
        kind: qianbao_ledger::AccountKind::parse(kind).ok_or_else(corrupt)?,
        currency: qianbao_ledger::Currency::parse(currency).ok_or_else(corrupt)?,
        balance: qianbao_ledger::Amount::from_minor(balance),
        held: qianbao_ledger::Amount::from_minor(held),
    })
}

/// Reads a stored chain link back.
pub fn link_from_row(bytes: &[u8]) -> Result<Link, StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("a chain link of {} bytes", bytes.len())))
}
