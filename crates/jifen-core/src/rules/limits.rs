//! The limits every CEL condition is held to when it is saved, and the shape of the facts it
//! reads, so that the worst condition that passes evaluates in well under a millisecond against
//! the largest event the API accepts.
//!
//! A condition is checked in three steps, cheapest first:
//!
//! 1. its length, and a lexical scan that counts operators and bracket nesting, on the caller's
//!    thread, before the text reaches the parser;
//! 2. the parse itself, on a thread of its own with a large stack ([`COMPILE_STACK_BYTES`]), so
//!    that no recursion of the parser's can exhaust the caller's stack;
//! 3. a walk of the compiled expression that checks its depth, its number of nodes, how deeply
//!    comprehensions (`exists`, `all`, `map`, `filter`, …) nest, the size of literal lists and
//!    strings, regular expressions, and an upper bound on the steps one evaluation can take
//!    ([`MAX_COST`]).
//!
//! Evaluation recurses once per level of the expression tree, so it never goes deeper than
//! [`MAX_DEPTH`] levels (plus a constant number of frames per level).
//!
//! `docs/rules.md#condition-limits` documents each limit and the error it gives.

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};

/// The longest condition, in bytes of UTF-8.
pub const MAX_SOURCE_BYTES: usize = 4_096;
/// The deepest expression tree (and the deepest nesting of brackets).
pub const MAX_DEPTH: usize = 32;
/// The most nodes an expression may have once its macros are expanded (and the most operators
/// the lexical scan lets through to the parser).
pub const MAX_NODES: usize = 500;
/// How deeply comprehensions (`exists`, `all`, `exists_one`, `map`, `filter`) may nest: one
/// inside the body of another is 2.
pub const MAX_COMPREHENSION_NESTING: usize = 2;
/// The most elements of a literal list, or entries of a literal map.
pub const MAX_LIST_ITEMS: usize = 200;
/// The longest string (or bytes) literal, in bytes.
pub const MAX_STRING_BYTES: usize = 512;
/// The largest compiled form of a regular expression given to `matches`, in bytes.
pub const MAX_REGEX_BYTES: usize = 16 * 1024;
/// The most steps one evaluation may take, as estimated when the condition is compiled: one per
/// node evaluated (and two per iteration), times the elements each enclosing comprehension may
/// iterate over (a literal list's length, or [`MAX_ATTRIBUTE_ITEMS`] for data read from the
/// facts), plus one per 16 elements and per KiB of string an operator compares or builds, plus
/// [`REGEX_STEPS`] per `matches`. Measured: the worst accepted conditions
/// ([`worst_accepted_conditions`]) against [`largest_event`], in `docs/benchmarks.md`.
pub const MAX_COST: u64 = 6_000;

/// What compiling a pattern of [`MAX_REGEX_BYTES`] counts for in [`MAX_COST`] (`matches`
/// compiles its pattern each time it is evaluated).
pub const REGEX_STEPS: u64 = 1_000;

/// The deepest nesting of arrays and objects in an event's `attributes` (and a member's).
pub const MAX_ATTRIBUTE_DEPTH: usize = 8;
/// The most elements of one array, or keys of one object, in `attributes`.
pub const MAX_ATTRIBUTE_ITEMS: usize = 200;
/// The most values (numbers, strings, arrays, objects… counted at every level) in `attributes`.
pub const MAX_ATTRIBUTE_VALUES: usize = 10_000;
/// The longest string in `attributes`, in bytes.
pub const MAX_ATTRIBUTE_STRING_BYTES: usize = 4_096;

/// The stack of the thread a condition is parsed and checked on. The lexical scan lets at most
/// [`MAX_NODES`] operators and [`MAX_DEPTH`] brackets reach the parser; this leaves the parser's
/// recursion (and the drop of a refused tree) far more room than such a text can use. Only the
/// pages touched are ever committed.
pub const COMPILE_STACK_BYTES: usize = 256 * 1024 * 1024;

/// A limit a condition exceeds, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    /// The limit's name in `docs/rules.md#condition-limits` (`source_bytes`, `depth`, `nodes`, …).
    pub limit: &'static str,
    pub message: String,
    /// The byte offset in the source where the limit is exceeded.
    pub offset: usize,
}

fn exceeded(limit: &'static str, offset: usize, message: String) -> Exceeded {
    Exceeded {
        limit,
        message,
        offset,
    }
}

/// Checks the length and the lexical shape of `source` before it is parsed: its length, the
/// nesting of brackets and the number of operators. Linear in the length, no recursion.
pub fn prescan(source: &str) -> Result<(), Exceeded> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(exceeded(
            "source_bytes",
            MAX_SOURCE_BYTES,
            format!(
                "the condition is {} bytes long, more than the {MAX_SOURCE_BYTES} allowed",
                source.len()
            ),
        ));
    }
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                // Skip the string literal (escapes included); a triple quote is two empty
                // strings and an opening quote to this scan, which ends at the same place.
                i += 1;
                while i < bytes.len() && bytes[i] != b {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(exceeded(
                        "depth",
                        i,
                        format!("brackets nest more than {MAX_DEPTH} levels deep"),
                    ));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'!' | b'<' | b'>' | b'=' | b'&' | b'|' | b'?'
            | b'.' | b',' => {
                // `&&`, `||`, `==`, `<=`, … count once.
                let pair = bytes.get(i + 1).copied();
                if matches!(
                    (b, pair),
                    (b'&', Some(b'&'))
                        | (b'|', Some(b'|'))
                        | (b'=' | b'!' | b'<' | b'>', Some(b'='))
                ) {
                    i += 1;
                }
                operators += 1;
                if operators > MAX_NODES {
                    return Err(exceeded(
                        "nodes",
                        i,
                        format!("the condition has more than {MAX_NODES} operators"),
                    ));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// An upper bound on the size of a value: the most elements of any one list or map in it, and
/// the most bytes of any one string in it.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    items: u64,
    bytes: u64,
}

impl Size {
    const SCALAR: Size = Size {
        items: 1,
        bytes: 64,
    };
    /// Anything read from the facts (`event`, `member`, `program`): the edge bounds them.
    const FACT: Size = Size {
        items: MAX_ATTRIBUTE_ITEMS as u64,
        bytes: MAX_ATTRIBUTE_STRING_BYTES as u64,
    };

    fn max(self, o: Size) -> Size {
        Size {
            items: self.items.max(o.items),
            bytes: self.bytes.max(o.bytes),
        }
    }

    fn plus(self, o: Size) -> Size {
        Size {
            items: self.items.saturating_add(o.items),
            bytes: self.bytes.saturating_add(o.bytes),
        }
    }

    /// The steps an operator takes to read or build a value of this size: copying or comparing
    /// an element, or a KiB of a string, is a fraction of evaluating a node.
    fn work(self) -> u64 {
        (self.items / ITEMS_PER_STEP).saturating_add(self.bytes / BYTES_PER_STEP)
    }
}

/// The steps binding a comprehension's variables takes at each iteration.
const ITERATION_STEPS: u64 = 2;
/// Elements an operator copies or compares per step of [`MAX_COST`].
const ITEMS_PER_STEP: u64 = 16;
/// Bytes of strings an operator copies or reads per step of [`MAX_COST`].
const BYTES_PER_STEP: u64 = 1024;

/// Operators and functions whose result is a scalar (a bool, a number, a timestamp…).
const SCALAR_RESULTS: &[&str] = &[
    "_==_",
    "_!=_",
    "_<_",
    "_<=_",
    "_>_",
    "_>=_",
    "_&&_",
    "_||_",
    "!_",
    "-_",
    "_-_",
    "_*_",
    "_/_",
    "_%_",
    "@in",
    "@not_strictly_false",
    "size",
    "int",
    "uint",
    "double",
    "bool",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "has_tag",
    "meter",
    "streak",
    "timestamp",
    "duration",
    "getFullYear",
    "getMonth",
    "getDayOfYear",
    "getDayOfMonth",
    "getDate",
    "getDayOfWeek",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    "type",
];

/// The steps an operator or function takes beyond its node, by the size of its operands:
/// comparing stops at the smaller operand, `in` reads the list, concatenating copies both,
/// string functions read the strings; indexing, choosing and logic are constant.
fn work(name: &str, args: &[Size]) -> u64 {
    let smaller = || args.iter().map(|s| s.work()).min().unwrap_or(0);
    let bytes = || args.iter().map(|s| s.bytes / BYTES_PER_STEP).sum::<u64>();
    match name {
        "_==_" | "_!=_" | "_<_" | "_<=_" | "_>_" | "_>=_" => smaller(),
        "@in" => args
            .last()
            .map_or(0, |list| list.items / ITEMS_PER_STEP)
            .saturating_add(bytes()),
        "_+_" => args.iter().map(|s| s.work()).sum(),
        "_[_]"
        | "_?_:_"
        | "_&&_"
        | "_||_"
        | "!_"
        | "-_"
        | "_-_"
        | "_*_"
        | "_/_"
        | "_%_"
        | "size"
        | "@not_strictly_false"
        | "meter"
        | "streak" => 0,
        "contains" | "startsWith" | "endsWith" | "matches" | "string" | "int" | "uint"
        | "double" | "timestamp" | "duration" => bytes(),
        _ => args.iter().map(|s| s.work()).sum(),
    }
}

/// The walk of a compiled expression.
struct Walk<'a> {
    info: &'a cel::common::ast::SourceInfo,
    nodes: usize,
    /// Variables bound by enclosing comprehensions, with the size of what they hold.
    scope: Vec<(&'a str, Size)>,
}

impl<'a> Walk<'a> {
    fn offset(&self, e: &IdedExpr, fallback: usize) -> usize {
        self.info
            .offset_for(e.id)
            .map_or(fallback, |(start, _)| start as usize)
    }

    /// Checks `e` at `depth` (the root is 1) inside `nesting` comprehensions; answers the size
    /// of its value and the steps evaluating it takes.
    fn visit(
        &mut self,
        e: &'a IdedExpr,
        depth: usize,
        nesting: usize,
        at: usize,
    ) -> Result<(Size, u64), Exceeded> {
        let at = self.offset(e, at);
        if depth > MAX_DEPTH {
            return Err(exceeded(
                "depth",
                at,
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(exceeded(
                "nodes",
                at,
                format!("the expression has more than {MAX_NODES} nodes"),
            ));
        }
        let d = depth + 1;
        Ok(match &e.expr {
            Expr::Unspecified => (Size::SCALAR, 1),
            Expr::Literal(l) => {
                let bytes = match l {
                    LiteralValue::String(s) => s.inner().len(),
                    LiteralValue::Bytes(b) => b.inner().len(),
                    _ => 0,
                };
                if bytes > MAX_STRING_BYTES {
                    return Err(exceeded(
                        "string_bytes",
                        at,
                        format!(
                            "a literal of {bytes} bytes: at most {MAX_STRING_BYTES} are allowed"
                        ),
                    ));
                }
                (
                    Size {
                        items: 1,
                        bytes: bytes as u64,
                    },
                    1,
                )
            }
            Expr::Ident(name) => {
                let size = self
                    .scope
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map_or(Size::FACT, |(_, s)| *s);
                (size, 1)
            }
            Expr::Select(s) => {
                let (size, cost) = self.visit(&s.operand, d, nesting, at)?;
                (size, cost.saturating_add(1))
            }
            Expr::List(l) => {
                if l.elements.len() > MAX_LIST_ITEMS {
                    return Err(exceeded(
                        "list_items",
                        at,
                        format!(
                            "a list of {} elements: at most {MAX_LIST_ITEMS} are allowed",
                            l.elements.len()
                        ),
                    ));
                }
                let mut size = Size {
                    items: l.elements.len() as u64,
                    bytes: 0,
                };
                let mut cost = 1 + l.elements.len() as u64;
                for el in &l.elements {
                    let (s, c) = self.visit(el, d, nesting, at)?;
                    size = size.max(s);
                    cost = cost.saturating_add(c);
                }
                (size, cost)
            }
            Expr::Map(m) => self.entries(&m.entries, d, nesting, at)?,
            Expr::Struct(s) => self.entries(&s.entries, d, nesting, at)?,
            Expr::Call(call) => {
                let mut args: Vec<(Size, u64)> = Vec::with_capacity(call.args.len() + 1);
                if let Some(t) = &call.target {
                    args.push(self.visit(t, d, nesting, at)?);
                }
                for a in &call.args {
                    args.push(self.visit(a, d, nesting, at)?);
                }
                let mut cost = 1u64;
                if call.func_name == "matches" {
                    self.check_regex(call, at)?;
                    // The pattern is compiled at each evaluation.
                    cost = REGEX_STEPS;
                }
                for (_, c) in &args {
                    cost = cost.saturating_add(*c);
                }
                let name = call.func_name.as_str();
                let sizes: Vec<Size> = args.iter().map(|(s, _)| *s).collect();
                // `map` and `filter` append to their accumulator (`@result + [x]`, which no
                // source can write) in place.
                let appends = name == "_+_"
                    && matches!(call.args.first().map(|a| &a.expr),
                                Some(Expr::Ident(v)) if v.starts_with('@'));
                if !appends {
                    cost = cost.saturating_add(work(name, &sizes));
                }
                let size = if name == "_+_" {
                    args.iter()
                        .fold(Size::default(), |acc, (s, _)| acc.plus(*s))
                } else if SCALAR_RESULTS.contains(&name) {
                    Size::SCALAR
                } else {
                    args.iter().fold(Size::SCALAR, |acc, (s, _)| acc.max(*s))
                };
                (size, cost)
            }
            Expr::Comprehension(c) => {
                let inner = nesting + 1;
                if inner > MAX_COMPREHENSION_NESTING {
                    return Err(exceeded(
                        "comprehension_nesting",
                        at,
                        format!(
                            "comprehensions (exists, all, map, filter…) nest {inner} deep: \
                             at most {MAX_COMPREHENSION_NESTING} are allowed"
                        ),
                    ));
                }
                let (range, range_cost) = self.visit(&c.iter_range, d, nesting, at)?;
                let (init, init_cost) = self.visit(&c.accu_init, d, nesting, at)?;
                let n = range.items;
                let element = range;
                self.scope.push((c.iter_var.as_str(), element));
                if let Some(v2) = &c.iter_var2 {
                    self.scope.push((v2.as_str(), element));
                }
                // The accumulator is read in constant time; what a step adds to it is the size
                // of the step with an empty accumulator.
                self.scope.push((c.accu_var.as_str(), Size::default()));
                let (_, cond_cost) = self.visit(&c.loop_cond, d, inner, at)?;
                let (step, step_cost) = self.visit(&c.loop_step, d, inner, at)?;
                // Comprehensions come only from macros: their accumulator is a bool, a count,
                // or a list that gains at most one element per iteration (`map`, `filter`).
                let accu = Size {
                    items: init.items.saturating_add(n).max(step.items),
                    bytes: init.bytes.max(step.bytes),
                };
                if let Some(last) = self.scope.last_mut() {
                    last.1 = accu;
                }
                let (result, result_cost) = self.visit(&c.result, d, inner, at)?;
                self.scope.pop();
                if c.iter_var2.is_some() {
                    self.scope.pop();
                }
                self.scope.pop();
                let cost = range_cost
                    .saturating_add(init_cost)
                    .saturating_add(
                        n.saturating_mul(
                            cond_cost
                                .saturating_add(step_cost)
                                .saturating_add(ITERATION_STEPS),
                        ),
                    )
                    .saturating_add(result_cost)
                    .saturating_add(1);
                (result, cost)
            }
        })
    }

    fn entries(
        &mut self,
        entries: &'a [cel::common::ast::IdedEntryExpr],
        d: usize,
        nesting: usize,
        at: usize,
    ) -> Result<(Size, u64), Exceeded> {
        if entries.len() > MAX_LIST_ITEMS {
            return Err(exceeded(
                "list_items",
                at,
                format!(
                    "a map of {} entries: at most {MAX_LIST_ITEMS} are allowed",
                    entries.len()
                ),
            ));
        }
        let mut size = Size {
            items: entries.len() as u64,
            bytes: 0,
        };
        let mut cost = 1 + entries.len() as u64;
        for entry in entries {
            let parts: Vec<&IdedExpr> = match &entry.expr {
                EntryExpr::StructField(f) => vec![&f.value],
                EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
            };
            for p in parts {
                let (s, c) = self.visit(p, d, nesting, at)?;
                size = size.max(s);
                cost = cost.saturating_add(c);
            }
        }
        Ok((size, cost))
    }

    /// `matches` takes a literal pattern whose compiled form is bounded: a pattern read from
    /// the event could make each evaluation compile an arbitrarily large automaton.
    fn check_regex(&self, call: &cel::common::ast::CallExpr, at: usize) -> Result<(), Exceeded> {
        let pattern = match (&call.target, call.args.as_slice()) {
            (Some(_), [p]) | (None, [_, p]) => p,
            _ => return Ok(()),
        };
        let at = self.offset(pattern, at);
        let Expr::Literal(LiteralValue::String(s)) = &pattern.expr else {
            return Err(exceeded(
                "regex",
                at,
                "matches() takes its pattern as a string literal".into(),
            ));
        };
        regex::RegexBuilder::new(s.inner())
            .size_limit(MAX_REGEX_BYTES)
            .build()
            .map(drop)
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => exceeded(
                    "regex",
                    at,
                    format!("the pattern compiles to more than {MAX_REGEX_BYTES} bytes"),
                ),
                other => exceeded("regex", at, format!("the pattern is not valid: {other}")),
            })
    }
}

/// Checks a compiled expression against the limits; answers the estimated cost in steps.
pub(crate) fn check(root: &IdedExpr, info: &cel::common::ast::SourceInfo) -> Result<u64, Exceeded> {
    let mut walk = Walk {
        info,
        nodes: 0,
        scope: Vec::new(),
    };
    let (_, cost) = walk.visit(root, 1, 0, 0)?;
    if cost > MAX_COST {
        return Err(exceeded(
            "cost",
            walk.offset(root, 0),
            format!(
                "evaluating the condition may take {cost} steps against the largest event \
                 accepted, more than the {MAX_COST} allowed (iterating over event data inside \
                 another iteration, or a long literal list inside one, is the usual cause)"
            ),
        ));
    }
    Ok(cost)
}

/// Checks that `attributes` (an event's or a member's) keep within the shape conditions are
/// bounded for: at most [`MAX_ATTRIBUTE_DEPTH`] levels of arrays and objects, at most
/// [`MAX_ATTRIBUTE_ITEMS`] elements or keys in each, [`MAX_ATTRIBUTE_VALUES`] values in all,
/// strings of at most [`MAX_ATTRIBUTE_STRING_BYTES`]. Answers the path at fault (`lines[3].sku`) and why.
pub fn check_attributes(attributes: &serde_json::Value) -> Result<(), (String, String)> {
    // An explicit stack: the JSON parser already bounds nesting, but this walk must not recurse.
    let mut stack: Vec<(&serde_json::Value, String, usize)> = vec![(attributes, String::new(), 0)];
    let mut values = 0usize;
    while let Some((v, path, depth)) = stack.pop() {
        values += 1;
        if values > MAX_ATTRIBUTE_VALUES {
            return Err((
                String::new(),
                format!("attributes hold more than {MAX_ATTRIBUTE_VALUES} values"),
            ));
        }
        let join = |k: &str| {
            if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            serde_json::Value::String(s) if s.len() > MAX_ATTRIBUTE_STRING_BYTES => {
                return Err((
                    path,
                    format!(
                        "a string of {} bytes: at most {MAX_ATTRIBUTE_STRING_BYTES} are allowed",
                        s.len()
                    ),
                ));
            }
            serde_json::Value::Array(_) | serde_json::Value::Object(_)
                if depth >= MAX_ATTRIBUTE_DEPTH =>
            {
                return Err((
                    path,
                    format!(
                        "attributes nest at most {MAX_ATTRIBUTE_DEPTH} arrays and objects deep"
                    ),
                ));
            }
            serde_json::Value::Array(items) => {
                if items.len() > MAX_ATTRIBUTE_ITEMS {
                    return Err((
                        path,
                        format!(
                            "an array of {} elements: at most {MAX_ATTRIBUTE_ITEMS} are allowed",
                            items.len()
                        ),
                    ));
                }
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, format!("{path}[{i}]"), depth + 1));
                }
            }
            serde_json::Value::Object(fields) => {
                if fields.len() > MAX_ATTRIBUTE_ITEMS {
                    return Err((
                        path,
                        format!(
                            "an object of {} keys: at most {MAX_ATTRIBUTE_ITEMS} are allowed",
                            fields.len()
                        ),
                    ));
                }
                for (k, item) in fields {
                    stack.push((item, join(k), depth + 1));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The largest event the API accepts, as the facts a condition reads: 200 order lines (each with
/// a name of 1 KiB) and a text of [`MAX_ATTRIBUTE_STRING_BYTES`]. For benchmarks and load tests.
#[doc(hidden)]
pub fn largest_event() -> serde_json::Value {
    let lines: Vec<serde_json::Value> = (0..MAX_ATTRIBUTE_ITEMS)
        .map(|i| {
            serde_json::json!({
                "sku": format!("sku-{i:0>60}"),
                "category": if i % 2 == 0 { "tea" } else { "coffee" },
                "quantity": 1 + i % 5,
                "amount": 1_000 + i,
                "name": "茶".repeat(1024 / 3),
            })
        })
        .collect();
    serde_json::json!({
        "id": "e".repeat(128),
        "type": "purchase",
        "occurred_at": "2026-06-18T12:00:00+00:00",
        "site": "tmall",
        "amount": 1_000_000,
        "local": {"date": "2026-06-18", "year": 2026, "month": 6, "day": 18, "hour": 20,
                  "weekday": 4},
        "attributes": {
            "order_id": "o".repeat(128),
            "amount": 1_000_000,
            "text": "x".repeat(MAX_ATTRIBUTE_STRING_BYTES),
            "lines": lines,
        },
    })
}

/// Conditions that pass every limit and sit as close to [`MAX_COST`] as their shape allows, one
/// per way of spending it (iterating over the event, nested comprehensions, depth, regular
/// expressions, string building): "the slowest accepted rule", for benchmarks and load tests.
/// Each is false against [`largest_event`], so that every iteration runs to the end.
#[doc(hidden)]
pub fn worst_accepted_conditions() -> Vec<String> {
    let accepted = |c: &String| super::Condition::compile(c).is_ok();
    // The largest `k` for which `shape(k)` is accepted.
    let largest = |shape: &dyn Fn(usize) -> String| -> String {
        let mut best = None;
        for k in 1..=MAX_NODES {
            let c = shape(k);
            if !accepted(&c) {
                break;
            }
            best = Some(c);
        }
        best.unwrap_or_else(|| {
            let e = super::Condition::compile(&shape(1)).err();
            panic!("the shape is refused at its smallest: {e:?}")
        })
    };
    let list = |k: usize| (0..k).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    vec![
        // Every line of the largest order, with as many tests per line as the cost allows.
        largest(&|k| {
            let tests: Vec<String> = (0..k)
                .map(|i| format!("l.name.contains(\"absent-{i}\")"))
                .collect();
            format!("event.attributes.lines.exists(l, {})", tests.join(" || "))
        }),
        // Two literal lists, one iterated inside the other.
        largest(&|k| format!("[{0}].exists(a, [{0}].exists(b, a + b < 0))", list(k))),
        // The order's lines, and a literal list inside.
        largest(&|k| {
            format!(
                "event.attributes.lines.exists(l, [{}].exists(q, l.quantity == q + 100))",
                list(k)
            )
        }),
        // The deepest expression.
        largest(&|k| format!("{} < 0", vec!["1"; k].join(" + "))),
        // The largest regular expression, on the longest text.
        largest(&|k| format!("event.attributes.text.matches(\"^(a|b|c){{{k}}}[0-9]+$\")")),
        // Building strings from the event.
        largest(&|k| {
            format!(
                "[event.attributes.text].exists(t, size({}) < 0)",
                vec!["t"; k].join(" + ")
            )
        }),
    ]
}
