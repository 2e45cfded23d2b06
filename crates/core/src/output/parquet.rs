//! The data-tool output: `posts.parquet` and `authors.parquet` (the
//! arrow-rs `parquet` writer, Snappy-compressed), typed: times as UTC
//! timestamps (milliseconds), scores as floats, labels as booleans, a post's signals as a
//! list of structs. The schema is listed in `docs/OUTPUTS.md`.

use super::{Output, OutputError};
use crate::record::{AuthorRecord, Components, PostRecord, Summary};
use crate::score::Label;
use arrow_array::builder::{BooleanBuilder, Float32Builder, StringBuilder, TimestampMillisecondBuilder, UInt64Builder};
use arrow_array::{ArrayRef, BooleanArray, Int64Array, ListArray, RecordBatch, StructArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Records gathered before a row group is written.
const BATCH: usize = 8192;

/// Times: UTC milliseconds, which Parquet types as a timestamp
/// (seconds would be written as plain integers).
fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

fn signal_fields() -> Fields {
    Fields::from(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("analyzer", DataType::Utf8, false),
        Field::new("rule", DataType::Utf8, false),
        Field::new("start", DataType::UInt64, false),
        Field::new("end", DataType::UInt64, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("weight", DataType::Float32, false),
    ])
}

fn topic_fields() -> Fields {
    Fields::from(vec![
        Field::new("community", DataType::Utf8, false),
        Field::new("topic", DataType::Utf8, false),
        Field::new("first", DataType::Utf8, false),
        Field::new("lead_days", DataType::Int64, false),
        Field::new("earliness", DataType::Float32, false),
    ])
}

fn top_post_fields() -> Fields {
    Fields::from(vec![
        Field::new("source", DataType::Utf8, false),
        Field::new("id", DataType::Utf8, false),
        Field::new("score", DataType::Float32, false),
    ])
}

/// The schema of `posts.parquet`.
pub fn post_schema() -> SchemaRef {
    let mut fields = vec![
        Field::new("source", DataType::Utf8, false),
        Field::new("id", DataType::Utf8, false),
        Field::new("community", DataType::Utf8, false),
        Field::new("thread", DataType::Utf8, true),
        Field::new("parent", DataType::Utf8, true),
        Field::new("author", DataType::Utf8, true),
        Field::new("created", timestamp(), true),
        Field::new("kind", DataType::Utf8, false),
        Field::new("title", DataType::Utf8, true),
        Field::new("url", DataType::Utf8, true),
        Field::new("link_submission", DataType::Boolean, false),
        Field::new("snippet", DataType::Utf8, false),
        Field::new("snippet_start", DataType::UInt64, false),
    ];
    fields.extend(Label::ALL.map(|l| Field::new(format!("score_{}", l.name()), DataType::Float32, false)));
    fields.extend(Label::ALL.map(|l| Field::new(format!("is_{}", l.name()), DataType::Boolean, false)));
    fields.push(Field::new(
        "signals",
        DataType::List(Arc::new(Field::new("item", DataType::Struct(signal_fields()), false))),
        false,
    ));
    fields.push(Field::new("replies", DataType::UInt64, false));
    fields.push(Field::new("reactions", DataType::UInt64, false));
    Arc::new(Schema::new(fields))
}

/// The schema of `authors.parquet`.
pub fn author_schema() -> SchemaRef {
    let mut fields = vec![
        Field::new("rank", DataType::UInt64, false),
        Field::new("id", DataType::Utf8, false),
        Field::new("author", DataType::Utf8, false),
        Field::new("site", DataType::Utf8, true),
        Field::new("score", DataType::Float32, false),
        Field::new("producer", DataType::Boolean, false),
    ];
    for c in Components::NAMES {
        fields.push(Field::new(format!("{c}_score"), DataType::Float32, false));
    }
    for c in ["posts", "innovations", "needs", "reactions"] {
        fields.push(Field::new(c, DataType::UInt64, false));
    }
    fields.push(Field::new("first", timestamp(), true));
    fields.push(Field::new("last", timestamp(), true));
    fields.push(Field::new("communities", DataType::List(Arc::new(Field::new("item", DataType::Utf8, false))), false));
    fields.push(Field::new(
        "top_posts",
        DataType::List(Arc::new(Field::new("item", DataType::Struct(top_post_fields()), false))),
        false,
    ));
    fields.push(Field::new(
        "topics",
        DataType::List(Arc::new(Field::new("item", DataType::Struct(topic_fields()), false))),
        false,
    ));
    fields.push(Field::new("pointed_by", DataType::List(Arc::new(Field::new("item", DataType::Utf8, false))), false));
    Arc::new(Schema::new(fields))
}

/// A string column.
fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for v in values {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

fn floats(values: impl Iterator<Item = f32>) -> ArrayRef {
    let mut b = Float32Builder::new();
    b.extend(values.map(Some));
    Arc::new(b.finish())
}

fn counts(values: impl Iterator<Item = u64>) -> ArrayRef {
    let mut b = UInt64Builder::new();
    b.extend(values.map(Some));
    Arc::new(b.finish())
}

fn times(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    let mut b = TimestampMillisecondBuilder::new().with_timezone("UTC");
    for v in values {
        b.append_option(v.and_then(|t| t.checked_mul(1000)));
    }
    Arc::new(b.finish())
}

/// A list column of structs, from each row's items and the struct's
/// columns built from all items in order.
fn list_of_structs(fields: Fields, lengths: Vec<usize>, columns: Vec<ArrayRef>) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let items = StructArray::try_new(fields.clone(), columns, None)?;
    let item = Arc::new(Field::new("item", DataType::Struct(fields), false));
    Ok(Arc::new(ListArray::try_new(item, OffsetBuffer::from_lengths(lengths), Arc::new(items), None)?))
}

fn post_batch(posts: &[PostRecord]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut columns: Vec<ArrayRef> = vec![
        strings(posts.iter().map(|p| Some(p.source.as_str()))),
        strings(posts.iter().map(|p| Some(p.id.as_str()))),
        strings(posts.iter().map(|p| Some(p.community.as_str()))),
        strings(posts.iter().map(|p| p.thread.as_deref())),
        strings(posts.iter().map(|p| p.parent.as_deref())),
        strings(posts.iter().map(|p| p.author.as_deref())),
        times(posts.iter().map(|p| p.created)),
        strings(posts.iter().map(|p| Some(p.kind.as_str()))),
        strings(posts.iter().map(|p| p.title.as_deref())),
        strings(posts.iter().map(|p| p.url.as_deref())),
        Arc::new(BooleanArray::from(posts.iter().map(|p| p.link_submission).collect::<Vec<bool>>())),
        strings(posts.iter().map(|p| Some(p.snippet.text.as_str()))),
        counts(posts.iter().map(|p| p.snippet.start as u64)),
    ];
    for l in Label::ALL {
        columns.push(floats(posts.iter().map(|p| p.scores[l])));
    }
    for l in Label::ALL {
        let mut b = BooleanBuilder::new();
        b.extend(posts.iter().map(|p| Some(p.labels[l])));
        columns.push(Arc::new(b.finish()));
    }
    let signals = posts.iter().flat_map(|p| &p.signals);
    let signal_columns: Vec<ArrayRef> = vec![
        strings(signals.clone().map(|s| Some(&*s.kind))),
        strings(signals.clone().map(|s| Some(&*s.analyzer))),
        strings(signals.clone().map(|s| Some(&*s.rule))),
        counts(signals.clone().map(|s| s.start as u64)),
        counts(signals.clone().map(|s| s.end as u64)),
        strings(signals.clone().map(|s| Some(s.text.as_str()))),
        floats(signals.map(|s| s.weight)),
    ];
    columns.push(list_of_structs(signal_fields(), posts.iter().map(|p| p.signals.len()).collect(), signal_columns)?);
    columns.push(counts(posts.iter().map(|p| p.response.replies)));
    columns.push(counts(posts.iter().map(|p| p.response.reactions())));
    RecordBatch::try_new(post_schema(), columns)
}

fn author_batch(authors: &[AuthorRecord]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut columns: Vec<ArrayRef> = vec![
        counts(authors.iter().map(|a| a.rank as u64)),
        strings(authors.iter().map(|a| Some(a.id.as_str()))),
        strings(authors.iter().map(|a| Some(a.author.as_str()))),
        strings(authors.iter().map(|a| a.site.as_deref())),
        floats(authors.iter().map(|a| a.score)),
        Arc::new(BooleanArray::from(authors.iter().map(|a| a.producer).collect::<Vec<bool>>())),
    ];
    for i in 0..Components::NAMES.len() {
        columns.push(floats(authors.iter().map(|a| a.components.values()[i])));
    }
    let tallies: [fn(&AuthorRecord) -> u64; 4] = [|a| a.posts, |a| a.innovations, |a| a.needs, |a| a.reactions];
    for c in tallies {
        columns.push(counts(authors.iter().map(c)));
    }
    columns.push(times(authors.iter().map(|a| a.first)));
    columns.push(times(authors.iter().map(|a| a.last)));
    let communities = strings(authors.iter().flat_map(|a| a.communities.iter().map(|c| Some(c.as_str()))));
    let item = Arc::new(Field::new("item", DataType::Utf8, false));
    let lengths = OffsetBuffer::from_lengths(authors.iter().map(|a| a.communities.len()));
    columns.push(Arc::new(ListArray::try_new(item, lengths, communities, None)?));
    let top = authors.iter().flat_map(|a| &a.top_posts);
    let top_columns: Vec<ArrayRef> = vec![
        strings(top.clone().map(|(source, _, _)| Some(source.as_str()))),
        strings(top.clone().map(|(_, id, _)| Some(id.as_str()))),
        floats(top.map(|(_, _, score)| *score)),
    ];
    columns.push(list_of_structs(top_post_fields(), authors.iter().map(|a| a.top_posts.len()).collect(), top_columns)?);
    let topics = authors.iter().flat_map(|a| &a.topics);
    let topic_columns: Vec<ArrayRef> = vec![
        strings(topics.clone().map(|t| Some(t.community.as_str()))),
        strings(topics.clone().map(|t| Some(t.topic.as_str()))),
        strings(topics.clone().map(|t| Some(t.first.as_str()))),
        Arc::new(Int64Array::from(topics.clone().map(|t| t.lead_days).collect::<Vec<i64>>())),
        floats(topics.map(|t| t.earliness)),
    ];
    columns.push(list_of_structs(topic_fields(), authors.iter().map(|a| a.topics.len()).collect(), topic_columns)?);
    let pointed_by = strings(authors.iter().flat_map(|a| a.pointed_by.iter().map(|p| Some(p.author.as_str()))));
    let item = Arc::new(Field::new("item", DataType::Utf8, false));
    let lengths = OffsetBuffer::from_lengths(authors.iter().map(|a| a.pointed_by.len()));
    columns.push(Arc::new(ListArray::try_new(item, lengths, pointed_by, None)?));
    RecordBatch::try_new(author_schema(), columns)
}

/// One Parquet file being written, a row group per [`BATCH`] records.
struct Table<T> {
    path: PathBuf,
    writer: Option<ArrowWriter<File>>,
    pending: Vec<T>,
    batch: fn(&[T]) -> Result<RecordBatch, arrow_schema::ArrowError>,
}

impl<T: Clone> Table<T> {
    fn create(path: PathBuf, schema: SchemaRef, batch: fn(&[T]) -> Result<RecordBatch, arrow_schema::ArrowError>) -> Result<Self, OutputError> {
        let file = File::create(&path).map_err(OutputError::at(&path))?;
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(OutputError::at(&path))?;
        Ok(Table { path, writer: Some(writer), pending: Vec::new(), batch })
    }

    fn push(&mut self, record: &T) -> Result<(), OutputError> {
        self.pending.push(record.clone());
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = (self.batch)(&self.pending).map_err(std::io::Error::other).map_err(OutputError::at(&self.path))?;
        self.pending.clear();
        match &mut self.writer {
            Some(w) => w.write(&batch).map_err(OutputError::at(&self.path)),
            None => Ok(()),
        }
    }

    fn close(&mut self) -> Result<(), OutputError> {
        self.flush()?;
        match self.writer.take() {
            Some(w) => w.close().map(|_| ()).map_err(OutputError::at(&self.path)),
            None => Ok(()),
        }
    }
}

/// Writes `posts.parquet` and `authors.parquet` into a folder.
pub struct Parquet {
    posts: Table<PostRecord>,
    authors: Table<AuthorRecord>,
}

impl Parquet {
    /// Creates the files in `dir` (which exists).
    pub fn open(dir: &Path) -> Result<Parquet, OutputError> {
        Ok(Parquet {
            posts: Table::create(dir.join("posts.parquet"), post_schema(), post_batch)?,
            authors: Table::create(dir.join("authors.parquet"), author_schema(), author_batch)?,
        })
    }

    /// [`Parquet::open`], boxed as an [`Output`].
    pub fn open_boxed(dir: &Path) -> Result<Box<dyn Output>, OutputError> {
        Ok(Box::new(Self::open(dir)?))
    }
}

impl Output for Parquet {
    fn post(&mut self, post: &PostRecord) -> Result<(), OutputError> {
        self.posts.push(post)
    }

    fn author(&mut self, author: &AuthorRecord) -> Result<(), OutputError> {
        self.authors.push(author)
    }

    fn finish(&mut self, _summary: &Summary) -> Result<(), OutputError> {
        self.posts.close()?;
        self.authors.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::{sample_author, sample_post};
    use crate::record::SignalRecord;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, TimestampMillisecondType};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn posts_and_authors_read_back_typed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut out = Parquet::open(dir.path()).expect("open");
        let mut post = sample_post();
        post.signals = vec![SignalRecord {
            kind: "solution".into(),
            analyzer: "rules".into(),
            rule: "solution.built".into(),
            start: 0,
            end: 9,
            text: "I built a".into(),
            weight: 0.8,
        }];
        out.post(&post).expect("post");
        out.post(&sample_post()).expect("post");
        out.author(&sample_author()).expect("author");
        out.finish(&Summary::default()).expect("finish");
        let file = File::open(dir.path().join("posts.parquet")).expect("posts.parquet");
        let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet")
            .build()
            .expect("reader")
            .collect::<Result<_, _>>()
            .expect("batches");
        let batch = &batches[0];
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.schema().field_with_name("created").expect("created").data_type(), &timestamp());
        let created = batch.column_by_name("created").expect("created").as_primitive::<TimestampMillisecondType>();
        assert_eq!(created.value(0), 1_456_790_400_000);
        let score = batch.column_by_name("score_solution").expect("score").as_primitive::<Float32Type>();
        assert_eq!(score.value(0), 0.75);
        let signals = batch.column_by_name("signals").expect("signals").as_list::<i32>();
        assert_eq!((signals.value(0).len(), signals.value(1).len()), (1, 0));
        let text = signals.value(0);
        let text = text.as_struct().column_by_name("text").expect("text").as_string::<i32>().value(0).to_string();
        assert_eq!(text, "I built a");
        let file = File::open(dir.path().join("authors.parquet")).expect("authors.parquet");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet").build().expect("reader");
        let rows: usize = reader.map(|b| b.expect("batch").num_rows()).sum();
        assert_eq!(rows, 1);
    }
}
