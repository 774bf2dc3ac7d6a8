//! Proofs a holder can check over HTTP (issue 23, `docs/proofs.md`): the journal log's signed
//! checkpoint and the operator's key, consistency proofs between two sizes, inclusion proofs of
//! a holder's own transactions, and witnesses' cosignatures.
//!
//! Checkpoints are published by a worker every `--checkpoint-every` seconds when the log has
//! grown, and on demand: any read of the latest checkpoint (this module's three reads) publishes
//! one first when the log has grown past it. That is safe unauthenticated: it only signs what the
//! log holds, and a size has one checkpoint, so requests can make at most one row per journal
//! line, however many there are, and the money calls make those lines.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qianbao_api_types::proofs::{
    CheckpointReply, ConsistencyQuery, ConsistencyReply, CosignRequest, InclusionQuery,
    InclusionReply, LiabilityLeaf, LiabilityNode, LiabilityProofReply, LiabilityStep, LogKeyReply,
    SnapshotInLog,
};
use qianbao_proofs::sum_tree::Side;
use qianbao_wallet::AccountOwner;
use qianbao_wallet::proofs::SignedCheckpoint;

fn checkpoint_reply(c: SignedCheckpoint) -> CheckpointReply {
    CheckpointReply {
        origin: c.origin,
        size: c.size,
        root_hash: B64.encode(c.root),
        note: c.note,
        signature: B64.encode(c.signature),
    }
}

/// The latest signed checkpoint of the journal log, published first if the log has grown since
/// the last one (see the module's doc: publishing on demand is bounded by the log's growth).
#[utoipa::path(get, path = "/v1/proofs/checkpoint", tag = "proofs",
    responses((status = 200, description = "The latest signed checkpoint", body = CheckpointReply)))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Json<CheckpointReply>, ApiError> {
    let c = state.proofs.current(&state.storage).await?;
    Ok(Json(checkpoint_reply(c)))
}

/// The operator's checkpoint key in C2SP verifier-key form: what a holder or witness pins to
/// check notes.
#[utoipa::path(get, path = "/v1/proofs/key", tag = "proofs",
    responses((status = 200, description = "The operator's verifier key", body = LogKeyReply)))]
pub async fn key(State(state): State<AppState>) -> Json<LogKeyReply> {
    Json(LogKeyReply {
        vkey: state.proofs.verifier_key().to_string(),
        origin: state.proofs.origin.clone(),
    })
}

/// An RFC 6962 consistency proof from the tree of `from` leaves to the tree of `to`. `from` must
/// be at least 1 and at most `to`, and `to` at most the latest checkpoint's size; else 422
/// `invalid_request` naming the field.
#[utoipa::path(get, path = "/v1/proofs/consistency", tag = "proofs", params(ConsistencyQuery),
    responses((status = 200, description = "The consistency proof", body = ConsistencyReply),
        (status = 422, description = "`invalid_request`: from is 0 or past to, or to is past the latest checkpoint", body = qianbao_api_types::Problem, content_type = "application/problem+json")))]
pub async fn consistency(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Result<Json<ConsistencyReply>, ApiError> {
    let proof = state
        .proofs
        .consistency(&state.storage, q.from, q.to)
        .await?;
    Ok(Json(ConsistencyReply {
        from: q.from,
        to: q.to,
        proof: proof.iter().map(|h| B64.encode(h)).collect(),
    }))
}

/// The inclusion proof of one of the holder's transactions: its journal line's canonical leaf
/// bytes and index, and the audit path to the root at `size` (the latest checkpoint's when left
/// out), with the holder's own accounts' salts and commitments in the leaf. Another holder's
/// transaction is 404; a transaction without a logged journal line is 404 `not_logged`; a size
/// not more than the leaf index, or past the latest checkpoint, is 422.
#[utoipa::path(get, path = "/v1/me/transactions/{id}/proof", tag = "proofs", security(("session" = [])),
    params(("id" = String, Path, description = "The transaction's id"), InclusionQuery),
    responses((status = 200, description = "The inclusion proof", body = InclusionReply),
        (status = 404, description = "No such transaction of the holder's, or not in the log", body = qianbao_api_types::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: size out of range", body = qianbao_api_types::Problem, content_type = "application/problem+json")))]
pub async fn inclusion(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> Result<Json<InclusionReply>, ApiError> {
    let movement = state.money.record(&state.storage, &me.holder, &id).await?;
    let p = state
        .proofs
        .inclusion(&state.storage, &me.holder, &movement, q.size)
        .await?;
    Ok(Json(crate::routes::money::records::inclusion_reply(&p)))
}

/// A witness's cosignature of checkpoint `size`: accepted only when it verifies, over that
/// checkpoint's note text, under a witness key the operator configured (`--witness-key`); then
/// the checkpoint's note carries it. An unknown key is 403 `witness_unknown`; a signature that
/// does not verify is 422 `signature_invalid`; no checkpoint of that size is 404.
#[utoipa::path(post, path = "/v1/proofs/checkpoints/{size}/cosign", tag = "proofs",
    params(("size" = i64, Path, description = "The checkpoint's tree size")),
    request_body = CosignRequest,
    responses((status = 200, description = "The checkpoint with the cosignature", body = CheckpointReply),
        (status = 403, description = "`witness_unknown`", body = qianbao_api_types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No checkpoint of that size", body = qianbao_api_types::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`signature_invalid`", body = qianbao_api_types::Problem, content_type = "application/problem+json")))]
pub async fn cosign(
    State(state): State<AppState>,
    Path(size): Path<String>,
    ApiJson(body): ApiJson<CosignRequest>,
) -> Result<Json<CheckpointReply>, ApiError> {
    let size: i64 = size.parse().map_err(|_| ApiError::not_found())?;
    let c = state
        .proofs
        .cosign(&state.storage, size, body.key_name, &body.signature)
        .await?;
    Ok(Json(checkpoint_reply(c)))
}

/// The holder's proof of liabilities: their leaf in the newest published snapshot (its salt,
/// commitment and balances, and the id the commitment is over), the path of sibling hashes and
/// sums to the root, the root's hash and totals, and the snapshot's leaf in the journal's log with
/// its inclusion proof under the latest checkpoint. 404 `no_snapshot` before the first snapshot;
/// 404 `not_in_snapshot` for a wallet opened after the newest one.
#[utoipa::path(get, path = "/v1/me/liability-proof", tag = "proofs", security(("session" = [])),
    responses((status = 200, description = "The liability proof", body = LiabilityProofReply),
        (status = 404, description = "`no_snapshot` or `not_in_snapshot`", body = qianbao_api_types::Problem, content_type = "application/problem+json")))]
pub async fn liability(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<LiabilityProofReply>, ApiError> {
    let owner = AccountOwner::Wallet(me.holder.wallet_id.clone()).to_string();
    let p = state.proofs.liability_proof(&state.storage, owner).await?;
    Ok(Json(LiabilityProofReply {
        snapshot_id: p.snapshot_id,
        taken_at: crate::timestamp::rfc3339(p.taken_ms),
        leaf: LiabilityLeaf {
            salt: B64.encode(p.leaf.salt),
            commitment: B64.encode(p.leaf.commitment),
            balances: p.leaf.balances,
            id: p.owner,
        },
        path: p
            .path
            .into_iter()
            .map(|s| LiabilityStep {
                side: match s.side {
                    Side::Left => "left",
                    Side::Right => "right",
                }
                .into(),
                hash: B64.encode(s.hash),
                sums: s.sums,
            })
            .collect(),
        root: LiabilityNode {
            hash: B64.encode(p.root.hash),
            sums: p.root.sums,
        },
        log: SnapshotInLog {
            leaf_index: p.log_leaf_index,
            leaf: B64.encode(&p.log_leaf),
            tree_size: p.checkpoint.size,
            root_hash: B64.encode(p.checkpoint.root),
            proof: p.log_proof.iter().map(|h| B64.encode(h)).collect(),
        },
    }))
}
