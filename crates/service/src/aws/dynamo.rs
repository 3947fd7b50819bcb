//! The status table: claims, leases and results, each one conditional UpdateItem.

use crate::record::{self, DocumentItem, Outcome, ResultParts, Status};
use api::{attr, Languages, Output};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Network, throttling or a 5xx: try again later.
    #[error("DynamoDB is unavailable: {0}")]
    Unavailable(String),
    #[error("DynamoDB refused the request: {0}")]
    Rejected(String),
    #[error("the item cannot be read: {0}")]
    Malformed(String),
}

fn classify<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: SdkError<E, R>,
) -> StoreError {
    let text = match &e {
        SdkError::ServiceError(s) => format!(
            "{}: {}",
            s.err().code().unwrap_or("error"),
            s.err().message().unwrap_or("")
        ),
        other => format!("{other:?}"),
    };
    if super::is_transient(&e) {
        StoreError::Unavailable(text)
    } else {
        StoreError::Rejected(text)
    }
}

fn is_condition_failure<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    matches!(e, SdkError::ServiceError(s) if s.err().code() == Some("ConditionalCheckFailedException"))
}

/// The outcome of a claim attempt.
#[derive(Debug)]
pub enum Claim {
    /// This task holds the lease now.
    Claimed(DocumentItem),
    /// Someone holds a live lease (a duplicate delivery): nothing to do.
    Busy(DocumentItem),
    /// Already completed or failed.
    Done(DocumentItem),
    /// No such record (only when claiming by id, for the sweep).
    Missing,
}

/// What a claim needs of the request; None fields keep what the item has.
#[derive(Debug, Clone, Default)]
pub struct ClaimRequest<'a> {
    pub id: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub file_type: Option<&'a str>,
    pub outputs: Option<&'a [Output]>,
    pub languages: Option<&'a Languages>,
}

#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
    status_index: String,
    lease: Duration,
    owner: String,
}

/// An update or condition expression in which every attribute name is an alias (`#status`): many
/// plain names (status, key, text, bucket, ...) are DynamoDB reserved words.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    /// `#attr`, registered.
    fn n(&mut self, attr: &str) -> String {
        let alias = format!("#{attr}");
        self.names.insert(alias.clone(), attr.to_string());
        alias
    }
    /// `:name`, registered with its value.
    fn v(&mut self, name: &str, value: AttributeValue) -> String {
        let placeholder = format!(":{name}");
        self.values.insert(placeholder.clone(), value);
        placeholder
    }
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}
fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl Store {
    pub fn new(
        client: Client,
        table: String,
        status_index: String,
        lease: Duration,
        owner: String,
    ) -> Self {
        Store {
            client,
            table,
            status_index,
            lease,
            owner,
        }
    }

    pub fn lease(&self) -> Duration {
        self.lease
    }

    fn key(&self, id: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([(attr::ID.to_string(), s(id))])
    }

    /// One conditional UpdateItem: pending, or processing with an expired lease (or, for a request
    /// that names a record not in the table yet, absent) becomes processing under our lease.
    pub async fn claim(&self, req: ClaimRequest<'_>, create: bool) -> Result<Claim, StoreError> {
        let now = SystemTime::now();
        let mut e = Expr::default();
        let (status, lease, owner) = (
            e.n(attr::STATUS),
            e.n(attr::LEASE_EXPIRES_AT),
            e.n(attr::LEASE_OWNER),
        );
        let (attempts, created, started, updated) = (
            e.n(attr::ATTEMPTS),
            e.n(attr::CREATED_AT),
            e.n(attr::PROCESSING_STARTED_AT),
            e.n(attr::UPDATED_AT),
        );
        let processing = e.v("processing", s(Status::Processing.as_str()));
        let pending = e.v("pending", s(Status::Pending.as_str()));
        let lease_until = e.v("lease", n(record::epoch_ms(now + self.lease)));
        let now_ms = e.v("now_ms", n(record::epoch_ms(now)));
        let me = e.v("owner", s(&self.owner));
        let stamp = e.v("now", s(record::now_rfc3339()));
        let (zero, one) = (e.v("zero", n(0)), e.v("one", n(1)));
        let mut sets = vec![
            format!("{status} = {processing}"),
            format!("{lease} = {lease_until}"),
            format!("{owner} = {me}"),
            format!("{started} = {stamp}"),
            format!("{updated} = {stamp}"),
            format!("{attempts} = if_not_exists({attempts}, {zero}) + {one}"),
            format!("{created} = if_not_exists({created}, {stamp})"),
        ];
        for (field, value) in [
            (attr::BUCKET, req.bucket),
            (attr::KEY, req.key),
            (attr::FILE_TYPE, req.file_type),
        ] {
            if let Some(value) = value {
                let (name, value) = (e.n(field), e.v(field, s(value)));
                sets.push(format!("{name} = if_not_exists({name}, {value})"));
            }
        }
        let lists = [
            (attr::OUTPUTS, req.outputs.map(to_av).transpose()?),
            (attr::LANGUAGES, req.languages.map(to_av).transpose()?),
        ];
        for (field, value) in lists {
            if let Some(value) = value {
                let (name, value) = (e.n(field), e.v(field, value));
                sets.push(format!("{name} = if_not_exists({name}, {value})"));
            }
        }
        let id = e.n(attr::ID);
        let claimable =
            format!("{status} = {pending} OR ({status} = {processing} AND {lease} < {now_ms})");
        let condition = if create {
            format!("attribute_not_exists({id}) OR {claimable}")
        } else {
            format!("attribute_exists({id}) AND ({claimable})")
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(self.key(req.id)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let item = out
                    .attributes
                    .ok_or_else(|| StoreError::Malformed("no attributes returned".into()))?;
                Ok(Claim::Claimed(parse(item)?))
            }
            Err(e) if is_condition_failure(&e) => match self.get(req.id).await? {
                None => Ok(Claim::Missing),
                Some(item) if item.is_final() => Ok(Claim::Done(item)),
                Some(item) => Ok(Claim::Busy(item)),
            },
            Err(e) => Err(classify(e)),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<DocumentItem>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(self.key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        out.item.map(parse).transpose()
    }

    /// Extends our lease; false when it is no longer ours (expired and taken, or finished).
    pub async fn renew(&self, id: &str) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let lease = e.n(attr::LEASE_EXPIRES_AT);
        let until = e.v("lease", n(record::epoch_ms(SystemTime::now() + self.lease)));
        let ours = self.ours(&mut e);
        self.conditional_update(id, format!("SET {lease} = {until}"), ours, e)
            .await
    }

    /// `status = processing AND lease_owner = <this task>`.
    fn ours(&self, e: &mut Expr) -> String {
        let (status, owner) = (e.n(attr::STATUS), e.n(attr::LEASE_OWNER));
        let (processing, me) = (
            e.v("processing", s(Status::Processing.as_str())),
            e.v("owner", s(&self.owner)),
        );
        format!("{status} = {processing} AND {owner} = {me}")
    }

    /// An UpdateItem under a condition; Ok(false) when the condition does not hold.
    async fn conditional_update(
        &self,
        id: &str,
        update: String,
        condition: String,
        e: Expr,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(self.key(id)))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }

    /// Writes the final status and result, only while the lease is still ours.
    pub async fn finish(
        &self,
        id: &str,
        outcome: &Outcome,
        result_key: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let stamp = e.v("now", s(record::now_rfc3339()));
        let mut sets = vec![
            format!(
                "{} = {}",
                e.n(attr::STATUS),
                e.v("status", s(outcome.status.as_str()))
            ),
            format!("{} = {stamp}", e.n(attr::UPDATED_AT)),
            format!("{} = {stamp}", e.n(attr::COMPLETED_AT)),
            format!(
                "{} = {}",
                e.n(attr::PAGE_COUNT),
                e.v("page_count", n(outcome.page_count))
            ),
            format!(
                "{} = {}",
                e.n(attr::PROCESSING_MS),
                e.v("processing_ms", n(outcome.processing_ms))
            ),
        ];
        let mut removes = vec![e.n(attr::LEASE_EXPIRES_AT), e.n(attr::LEASE_OWNER)];
        // The result's parts as converted once (and sized) by the outcome; the others removed.
        for (name, value) in outcome.parts.iter() {
            sets.push(format!("{} = {}", e.n(name), e.v(name, value.clone())));
        }
        for name in ResultParts::NAMES {
            if outcome.parts.get(name).is_none() {
                removes.push(e.n(name));
            }
        }
        match &outcome.error {
            Some((code, message)) => {
                sets.push(format!(
                    "{} = {}",
                    e.n(attr::ERROR_CODE),
                    e.v("error_code", s(code.as_str()))
                ));
                sets.push(format!(
                    "{} = {}",
                    e.n(attr::ERROR_MESSAGE),
                    e.v("error_message", s(message))
                ));
            }
            None => removes.extend([e.n(attr::ERROR_CODE), e.n(attr::ERROR_MESSAGE)]),
        }
        // Where the result's other parts are: set when made, else removed (an earlier attempt's
        // must not outlive it).
        for (name, key) in [
            (attr::RESULT_S3_KEY, result_key),
            (
                attr::SEARCHABLE_PDF_S3_KEY,
                outcome.searchable_pdf_s3_key.as_deref(),
            ),
            (
                attr::PREVIEWS_S3_PREFIX,
                outcome.previews_s3_prefix.as_deref(),
            ),
        ] {
            match key {
                Some(k) => sets.push(format!("{} = {}", e.n(name), e.v(name, s(k)))),
                None => removes.push(e.n(name)),
            }
        }
        let ours = self.ours(&mut e);
        let update = format!("SET {} REMOVE {}", sets.join(", "), removes.join(", "));
        self.conditional_update(id, update, ours, e).await
    }

    /// Hands a claimed record back: pending again, so another task (or this one, later) picks it up.
    /// At shutdown the claim is not counted (`uncount`); after a transient failure it is, so that a
    /// document that always fails that way still ends `too_many_attempts`.
    pub async fn release(&self, id: &str, uncount: bool) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let mut update = format!(
            "SET {} = {}, {} = {} REMOVE {}, {}",
            e.n(attr::STATUS),
            e.v("pending", s(Status::Pending.as_str())),
            e.n(attr::UPDATED_AT),
            e.v("now", s(record::now_rfc3339())),
            e.n(attr::LEASE_EXPIRES_AT),
            e.n(attr::LEASE_OWNER),
        );
        if uncount {
            update.push_str(&format!(
                " ADD {} {}",
                e.n(attr::ATTEMPTS),
                e.v("minus_one", n(-1))
            ));
        }
        let ours = self.ours(&mut e);
        self.conditional_update(id, update, ours, e).await
    }

    /// One page of the status index for records of `status` nobody works on: all pending ones, and
    /// processing ones whose lease expired before `now_ms` (the index projects `lease_expires_at`
    /// so that live leases are filtered out there).
    fn due_query(
        &self,
        status: Status,
        now_ms: i64,
        start: Option<HashMap<String, AttributeValue>>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(&self.status_index)
            .key_condition_expression("#status = :status")
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_values(":status", s(status.as_str()))
            .set_exclusive_start_key(start);
        if status == Status::Processing {
            query
                .filter_expression("#lease < :now_ms")
                .expression_attribute_names("#lease", attr::LEASE_EXPIRES_AT)
                .expression_attribute_values(":now_ms", n(now_ms))
        } else {
            query
        }
    }

    /// Ids of records waiting for work, up to `limit`: pending ones, and processing ones whose lease
    /// expired. Read through the status index (Queries, never a table scan), page after page until
    /// enough are found or the index is read: live leases filtered out on one page must not hide
    /// an expired one on the next.
    pub async fn due(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut ids = Vec::new();
        let now_ms = record::epoch_ms(SystemTime::now());
        // Claims whose task died first: they have waited a lease already, and behind a backlog
        // of pending records they would wait for all of it.
        for status in [Status::Processing, Status::Pending] {
            let mut start = None;
            while ids.len() < limit {
                let out = self
                    .due_query(status, now_ms, start.take())
                    .limit(DUE_PAGE)
                    .send()
                    .await
                    .map_err(classify)?;
                for item in out.items.unwrap_or_default() {
                    if let Some(AttributeValue::S(id)) = item.get(attr::ID) {
                        ids.push(id.clone());
                    }
                }
                match out.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => break,
                }
            }
        }
        ids.truncate(limit);
        Ok(ids)
    }

    /// How many records are due (as `due` finds them): Select COUNT over the status index, paged.
    pub async fn count_due(&self) -> Result<usize, StoreError> {
        let now_ms = record::epoch_ms(SystemTime::now());
        let mut total = 0usize;
        for status in [Status::Pending, Status::Processing] {
            let mut start = None;
            loop {
                let out = self
                    .due_query(status, now_ms, start.take())
                    .select(aws_sdk_dynamodb::types::Select::Count)
                    .send()
                    .await
                    .map_err(classify)?;
                total += out.count.max(0) as usize;
                match out.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => break,
                }
            }
        }
        Ok(total)
    }
}

/// Index entries read per sweep Query (each page costs one request).
const DUE_PAGE: i32 = 25;

fn parse(item: HashMap<String, AttributeValue>) -> Result<DocumentItem, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Malformed(e.to_string()))
}

fn to_av<T: serde::Serialize + ?Sized>(v: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(v).map_err(|e| StoreError::Malformed(e.to_string()))
}
