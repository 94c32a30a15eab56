//! Rule conditions in CEL (the Common Expression Language), compiled once when a rule is saved
//! and evaluated per event. This module is the only one that knows the `cel` crate.

use std::sync::Arc;

use cel::extractors::This;
use cel::objects::{Key, Map};
use cel::{Context, Env, Program, Value};

use super::limits;

/// Variables a condition can read.
pub const VARIABLES: [&str; 4] = ["event", "member", "program", "now"];

/// A compiled condition.
#[derive(Debug)]
pub struct Condition {
    source: String,
    program: Program,
}

/// Why a condition cannot be used, with where in its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({}line {line}, column {column})", .limit.map(|l| format!("limit `{l}`, ")).unwrap_or_default())]
pub struct ConditionError {
    pub message: String,
    pub line: i64,
    pub column: i64,
    /// The limit of [`limits`](super::limits) the condition exceeds (`depth`, `nodes`, …), if
    /// that is why it is refused.
    pub limit: Option<&'static str>,
}

impl ConditionError {
    fn at(source: &str, offset: usize, message: String, limit: Option<&'static str>) -> Self {
        let (line, column) = position(source, offset);
        ConditionError {
            message,
            line,
            column,
            limit,
        }
    }
}

/// The line and column (1-based, in characters) of a byte offset in `source`.
fn position(source: &str, offset: usize) -> (i64, i64) {
    let mut at = offset.min(source.len());
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    let before = &source[..at];
    let line = before.matches('\n').count() as i64 + 1;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = before[start..].chars().count() as i64 + 1;
    (line, column)
}

impl Condition {
    /// Compiles `source`, refusing syntax errors, variables other than [`VARIABLES`] (and
    /// those a macro such as `exists(x, …)` binds), and conditions beyond the
    /// [limits](super::limits).
    ///
    /// The text is checked for its length and lexical shape first, on the caller's thread;
    /// it is then parsed and checked on a thread of its own with a large stack, so that no
    /// input can exhaust the caller's stack, whatever the parser does with it.
    pub fn compile(source: &str) -> Result<Condition, ConditionError> {
        Condition::compile_over(source, &VARIABLES)
    }

    /// [`Condition::compile`] for an expression over other variables than a rule's (a
    /// segment's condition reads a member's features).
    pub fn compile_over(
        source: &str,
        variables: &'static [&'static str],
    ) -> Result<Condition, ConditionError> {
        limits::prescan(source)
            .map_err(|e| ConditionError::at(source, e.offset, e.message, Some(e.limit)))?;
        let owned = source.to_owned();
        let spawned = std::thread::Builder::new()
            .name("jifen-cel-compile".into())
            .stack_size(limits::COMPILE_STACK_BYTES)
            .spawn(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    compile_checked(&owned, variables)
                }))
            });
        let unavailable = |why: &str| ConditionError {
            message: format!("the condition could not be compiled: {why}"),
            line: 1,
            column: 1,
            limit: None,
        };
        let program = match spawned.map(std::thread::JoinHandle::join) {
            Ok(Ok(Ok(result))) => result?,
            Ok(Ok(Err(_)) | Err(_)) => return Err(unavailable("the parser failed on it")),
            Err(_) => return Err(unavailable("no thread to compile it on")),
        };
        Ok(Condition {
            source: source.to_owned(),
            program,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Parses `source` and checks it against the limits. Runs on the compile thread: a refused
/// expression, however deep, is dropped there too.
fn compile_checked(source: &str, variables: &[&str]) -> Result<Program, ConditionError> {
    let program = Program::compile(source).map_err(|errors| {
        let first = errors.errors.first();
        ConditionError {
            message: first.map_or_else(|| errors.to_string(), |e| e.msg.clone()),
            line: first.map_or(1, |e| e.pos.0 as i64),
            column: first.map_or(1, |e| e.pos.1 as i64 + 1),
            limit: None,
        }
    })?;
    limits::check(program.expression(), program.source_info())
        .map_err(|e| ConditionError::at(source, e.offset, e.message, Some(e.limit)))?;
    let references = program.references();
    let mut unknown: Vec<&str> = references
        .variables()
        .into_iter()
        .filter(|v| !variables.contains(v) && !bound_by_macro(source, v))
        .collect();
    unknown.sort_unstable();
    if let Some(v) = unknown.first().copied() {
        return Err(ConditionError::at(
            source,
            source.find(v).unwrap_or(0),
            format!(
                "unknown variable `{v}`: a condition reads {}",
                listed(variables)
            ),
            None,
        ));
    }
    drop(references);
    Ok(program)
}

/// `a, b and c`.
fn listed(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Whether `v` is the variable of a comprehension macro (`list.exists(v, …)`).
fn bound_by_macro(source: &str, v: &str) -> bool {
    let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains(&format!("({v},"))
}

/// The facts conditions are evaluated against: a CEL context built once per event, with the
/// variables converted once and shared by every condition judged for it.
pub struct Facts {
    ctx: Context<'static, 'static>,
}

impl Facts {
    /// Facts from JSON documents (the event, the member, the program) and the instant.
    pub fn new(
        event: &serde_json::Value,
        member: &serde_json::Value,
        program: &serde_json::Value,
        now: crate::Timestamp,
    ) -> Facts {
        let mut ctx = Context::with_env(ENV.with(Arc::clone));
        add_functions(&mut ctx);
        ctx.add_variable_from_value("event", json_to_cel(event));
        ctx.add_variable_from_value("member", json_to_cel(member));
        ctx.add_variable_from_value("program", json_to_cel(program));
        ctx.add_variable_from_value("now", Value::Timestamp(now.fixed_offset()));
        Facts { ctx }
    }

    /// Facts from named JSON documents (a segment's features) and the instant, as `now`.
    pub fn from_variables(
        variables: &serde_json::Map<String, serde_json::Value>,
        now: crate::Timestamp,
    ) -> Facts {
        let mut ctx = Context::with_env(ENV.with(Arc::clone));
        add_functions(&mut ctx);
        for (name, value) in variables {
            ctx.add_variable_from_value(name.clone(), json_to_cel(value));
        }
        ctx.add_variable_from_value("now", Value::Timestamp(now.fixed_offset()));
        Facts { ctx }
    }
}

thread_local! {
    /// The standard CEL environment (functions and macros), built once per thread.
    static ENV: Arc<Env> = Arc::new(Env::stdlib());
}

/// The functions conditions may call besides the standard ones.
fn add_functions(ctx: &mut Context<'static, 'static>) {
    // `member.streak("check_in")`: consecutive days with that event, in program time.
    let _ = ctx.add_function("streak", |This(member): This<Value>, name: Arc<String>| {
        lookup(&member, "streaks", &name)
    });
    // `member.meter("taoqizhi")`: a meter's value now.
    let _ = ctx.add_function("meter", |This(member): This<Value>, name: Arc<String>| {
        lookup(&member, "meters", &name)
    });
    // `member.in_segment("lapsed-vip")`: whether the member is in a segment.
    let _ = ctx.add_function(
        "in_segment",
        |This(member): This<Value>, slug: Arc<String>| match field(&member, "segments") {
            Some(Value::List(segments)) => segments
                .iter()
                .any(|s| matches!(s, Value::String(s) if **s == *slug)),
            _ => false,
        },
    );
    // `member.has_tag("vip")`.
    let _ = ctx.add_function(
        "has_tag",
        |This(member): This<Value>, tag: Arc<String>| match field(&member, "tags") {
            Some(Value::List(tags)) => tags
                .iter()
                .any(|t| matches!(t, Value::String(s) if **s == *tag)),
            _ => false,
        },
    );
}

fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Map(m) => m.map.get(&Key::String(Arc::new(name.to_owned()))),
        _ => None,
    }
}

fn lookup(member: &Value, table: &str, name: &str) -> i64 {
    match field(member, table).and_then(|t| field(t, name)) {
        Some(Value::Int(n)) => *n,
        Some(Value::UInt(n)) => i64::try_from(*n).unwrap_or(i64::MAX),
        _ => 0,
    }
}

/// How evaluating a condition went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    /// The condition could not be evaluated (a missing attribute, a type mismatch): the rule
    /// does not fire, and the trace says why.
    Error(String),
}

impl Condition {
    /// Evaluates the condition against `facts`.
    pub fn eval(&self, facts: &Facts) -> Truth {
        match self.program.execute(&facts.ctx) {
            Ok(Value::Bool(true)) => Truth::True,
            Ok(Value::Bool(false)) => Truth::False,
            Ok(other) => Truth::Error(format!(
                "the condition gave {:?}, not true or false",
                other.type_of()
            )),
            Err(e) => Truth::Error(e.to_string()),
        }
    }
}

impl Condition {
    /// Evaluates the expression as a whole number (a badge's progress): an integer, or a
    /// float rounded down.
    pub fn number(&self, facts: &Facts) -> Result<i64, String> {
        match self
            .program
            .execute(&facts.ctx)
            .map_err(|e| e.to_string())?
        {
            Value::Int(n) => Ok(n),
            Value::UInt(n) => Ok(i64::try_from(n).unwrap_or(i64::MAX)),
            #[allow(clippy::cast_possible_truncation)]
            Value::Float(f) if f.is_finite() => Ok(f.floor() as i64),
            other => Err(format!(
                "the progress gave {:?}, not a number",
                other.type_of()
            )),
        }
    }
}

impl Condition {
    /// Evaluates the expression as keys: a string, a number, or a list of them (duplicates
    /// dropped, order kept).
    pub fn strings(&self, facts: &Facts) -> Result<Vec<String>, String> {
        fn one(v: &Value) -> Result<String, String> {
            match v {
                Value::String(s) => Ok(s.to_string()),
                Value::Int(n) => Ok(n.to_string()),
                Value::UInt(n) => Ok(n.to_string()),
                other => Err(format!("a key must be a string, not {:?}", other.type_of())),
            }
        }
        let value = self
            .program
            .execute(&facts.ctx)
            .map_err(|e| e.to_string())?;
        let mut keys: Vec<String> = Vec::new();
        match &value {
            Value::List(items) => {
                for item in items.iter() {
                    let k = one(item)?;
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
            }
            v => keys.push(one(v)?),
        }
        Ok(keys)
    }
}

/// JSON into CEL values; strings that are RFC 3339 instants stay strings (compare them with
/// `timestamp(...)`).
fn json_to_cel(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::Int(i),
            (None, Some(u), _) => Value::UInt(u),
            (_, _, Some(f)) => Value::Float(f),
            _ => Value::Null,
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => {
            Value::List(Arc::new(items.iter().map(json_to_cel).collect()))
        }
        serde_json::Value::Object(fields) => Value::Map(Map {
            map: Arc::new(
                fields
                    .iter()
                    .map(|(k, v)| (Key::String(Arc::new(k.clone())), json_to_cel(v)))
                    .collect(),
            ),
        }),
    }
}
