//! Waivers: `waive RULE on zone|conduit NAME { … }`.

use super::*;

const WAIVER_ATTRS: &[(&str, Times)] = &[
    ("kind", Times::Once),
    ("approved-by", Times::Once),
    ("justification", Times::Once),
    ("compensating", Times::Once),
    ("expires", Times::Once),
    ("ticket", Times::Once),
];

impl Resolver {
    pub(super) fn waiver(&mut self, item: &Item, model: &Model) -> Option<Waiver> {
        let args: Vec<&Arg> = item.args().iter().map(|a| &a.arg).collect();
        let [Arg::Word(rule), Arg::Word(on), Arg::Word(kind), Arg::Word(name)] = args.as_slice()
        else {
            self.push(
                Diagnostic::error(
                    "E0106",
                    "a waiver reads `waive RULE on zone|conduit NAME { … }`",
                )
                .at(item.span, "malformed waiver")
                .with_help("e.g. `waive PRO-003 on conduit vendor-to-plc { … }`"),
            );
            return None;
        };
        if on.text != "on" || !matches!(kind.text.as_str(), "zone" | "conduit") {
            self.push(
                Diagnostic::error(
                    "E0106",
                    "a waiver reads `waive RULE on zone|conduit NAME { … }`",
                )
                .at(on.span.to(kind.span), "expected `on zone` or `on conduit`")
                .with_help("e.g. `waive PRO-003 on conduit vendor-to-plc { … }`"),
            );
            return None;
        }
        let target = if kind.text == "zone" {
            WaiverTarget::Zone(self.zone_ref(&name.text, name.span)?)
        } else {
            match model.conduit_by_name(&name.text) {
                Some(id) => WaiverTarget::Conduit(id),
                None => {
                    let help =
                        match suggest(&name.text, model.conduits.iter().map(|c| c.name.as_str())) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "name a conduit declared in the policy".to_string(),
                        };
                    self.push(
                        Diagnostic::error("E0201", format!("unknown conduit `{}`", name.text))
                            .at(name.span, "no conduit of this name")
                            .with_help(help),
                    );
                    return None;
                }
            }
        };
        let mut w = Waiver {
            rule: Spanned::new(rule.text.clone(), rule.span),
            target,
            span: item.span,
            kind: None,
            approved_by: None,
            justification: None,
            compensating: None,
            expires: None,
            ticket: None,
        };
        if item.block().is_none() {
            self.push(
                Diagnostic::error("E0111", "a waiver needs a block with its reasons")
                    .at(item.span, "expected `{ kind …; justification …; approved-by …; expires … }`")
                    .with_help("a waiver records a documented decision: kind, justification, approved-by and expires are required"),
            );
        }
        for (key, it) in self
            .reader
            .attrs(item.block(), "waiver", WAIVER_ATTRS, false)
        {
            match key {
                "kind" => {
                    w.kind = self
                        .reader
                        .value(it, |s| {
                            values::one_of(
                                s,
                                "waiver kind",
                                &[
                                    WaiverKind::Compensating,
                                    WaiverKind::RiskAcceptance,
                                    WaiverKind::FalsePositive,
                                ],
                                WaiverKind::as_str,
                            )
                        })
                        .map(|k| k.value)
                }
                "approved-by" => w.approved_by = self.reader.text(it),
                "justification" => w.justification = self.reader.text(it),
                "compensating" => w.compensating = self.reader.text(it),
                "expires" => w.expires = self.reader.value(it, values::date),
                _ => w.ticket = self.reader.text(it),
            }
        }
        Some(w)
    }
}
