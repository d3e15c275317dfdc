//! CAVRA's state values as enums. A value closeout does not know stays visibly unknown (`Unknown(raw)`,
//! shown sanitised), and an absent field is `Missing`: neither is ever mapped silently onto a known state.

use std::borrow::Cow;
use std::fmt;

use crate::text::Text;

/// Declare a state enum: known variants with the raw spellings CAVRA uses, plus `Missing` and `Unknown`.
macro_rules! states {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => [$($raw:literal),+]),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// The field is absent or null.
            Missing,
            /// A value CAVRA's documented model does not have.
            Unknown(Text),
        }

        impl $name {
            /// Map a field's text; `None` is [`Self::Missing`].
            pub fn from_text(t: Option<&Text>) -> Self {
                let Some(t) = t else { return $name::Missing };
                $(if t.one_of(&[$($raw),+]) { return $name::$variant; })+
                $name::Unknown(t.clone())
            }

            /// The state as shown: CAVRA's own spelling, "missing", or the unknown value (sanitised).
            pub fn shown(&self) -> Cow<'_, str> {
                match self {
                    $($name::$variant => Cow::Borrowed(states!(@first $($raw),+)),)+
                    $name::Missing => Cow::Borrowed("missing"),
                    $name::Unknown(t) => Cow::Owned(format!("{:?} (unknown)", t.shown())),
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Missing | $name::Unknown(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.shown())
            }
        }
    };
    (@first $first:literal $(, $rest:literal)*) => { $first };
}

states! {
    /// A readiness bundle's `closeout_state` (trial package: `state`).
    BundleState {
        ReadyForCloseout => ["ready_for_closeout", "ready"],
        Incomplete => ["incomplete"],
    }
}

states! {
    /// A signed archive manifest's (or a summary's) `signature_state`.
    SignatureState {
        Attached => ["external_signature_attached"],
        Required => ["external_signature_required"],
        Absent => ["missing"],
    }
}

states! {
    /// A release closeout summary's `closeout_state`.
    SummaryState {
        Closed => ["closed"],
        Open => ["open"],
    }
}

states! {
    /// A retention review decision's `decision_state` (and an artifact bundle's `retention_decision_state`).
    DecisionState {
        Approved => ["approved"],
        Denied => ["denied"],
        Deferred => ["deferred"],
        Expired => ["expired"],
        /// An artifact bundle built without an approved decision.
        NotAttached => ["not_attached"],
    }
}

states! {
    /// A retention health report's `alert_level` (trial package: `health_state`).
    HealthLevel {
        Healthy => ["healthy"],
        Warning => ["warning"],
        Critical => ["critical"],
    }
}

states! {
    /// A retry decision's `action` (trial package: the retry plan's `decision`).
    RetryAction {
        Retry => ["retry"],
        Wait => ["wait"],
        Suppress => ["suppress"],
    }
}

states! {
    /// An execution record's `execution_status`.
    ExecStatus {
        Skipped => ["skipped"],
        Delivered => ["delivered"],
        Failed => ["failed"],
    }
}

states! {
    /// A trial package's `delivery_state` (the summary's, and each alert provider's).
    TrialDeliveryState {
        Delivered => ["delivered"],
        PartialFailure => ["partial_failure"],
        Failed => ["failed"],
    }
}

/// Whether a delivery reached its connectors: one meaning of "delivered" everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    Failed,
    /// The evidence does not say in a way closeout knows (the raw value, shown sanitised).
    Unknown(String),
}

impl DeliveryOutcome {
    /// Runtime evidence: the wrapper's `delivery_success`, else the result's `success`.
    pub fn from_success(success: Option<bool>) -> DeliveryOutcome {
        match success {
            Some(true) => DeliveryOutcome::Delivered,
            Some(false) => DeliveryOutcome::Failed,
            None => DeliveryOutcome::Unknown("no success recorded".into()),
        }
    }

    /// The trial package's `delivery_state`.
    pub fn from_trial(state: &TrialDeliveryState) -> DeliveryOutcome {
        match state {
            TrialDeliveryState::Delivered => DeliveryOutcome::Delivered,
            TrialDeliveryState::PartialFailure | TrialDeliveryState::Failed => DeliveryOutcome::Failed,
            other => DeliveryOutcome::Unknown(other.shown().into_owned()),
        }
    }

    pub fn delivered(&self) -> bool {
        matches!(self, DeliveryOutcome::Delivered)
    }
}

/// How a retry worker ran: one way of recognising a dry run everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerMode {
    DryRun,
    Live,
    Unknown(String),
}

impl WorkerMode {
    /// Runtime: `dry_run: true|false`.
    pub fn from_dry_run(dry_run: Option<bool>) -> WorkerMode {
        match dry_run {
            Some(true) => WorkerMode::DryRun,
            Some(false) => WorkerMode::Live,
            None => WorkerMode::Unknown("dry_run not recorded".into()),
        }
    }

    /// Trial package: `mode: "dry_run" | "live"`.
    pub fn from_trial(mode: Option<&Text>) -> WorkerMode {
        match mode {
            Some(m) if m.matches("dry_run") => WorkerMode::DryRun,
            Some(m) if m.one_of(&["live", "execute"]) => WorkerMode::Live,
            Some(m) => WorkerMode::Unknown(format!("mode {:?}", m.shown())),
            None => WorkerMode::Unknown("mode not recorded".into()),
        }
    }

    pub fn label(&self) -> Cow<'_, str> {
        match self {
            WorkerMode::DryRun => Cow::Borrowed("dry run"),
            WorkerMode::Live => Cow::Borrowed("live"),
            WorkerMode::Unknown(why) => Cow::Owned(format!("unknown mode ({why})")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_map_and_unknown_ones_stay_unknown() {
        assert_eq!(SummaryState::from_text(Some(&"closed".into())), SummaryState::Closed);
        assert_eq!(SummaryState::from_text(None), SummaryState::Missing);
        let odd = SummaryState::from_text(Some(&"Closed".into()));
        assert!(matches!(odd, SummaryState::Unknown(_)), "case matters: {odd:?}");
        assert_eq!(odd.shown(), "\"Closed\" (unknown)");
        assert!(!odd.is_known());
        assert_eq!(BundleState::from_text(Some(&"ready".into())), BundleState::ReadyForCloseout);
    }

    #[test]
    fn unknown_values_are_shown_sanitised() {
        let s = DecisionState::from_text(Some(&"appr\x1b[2Joved".into()));
        assert_eq!(s.shown(), "\"appr\\\\x1b[2Joved\" (unknown)");
    }

    #[test]
    fn trial_delivery_states() {
        let partial = TrialDeliveryState::from_text(Some(&"partial_failure".into()));
        assert_eq!(DeliveryOutcome::from_trial(&partial), DeliveryOutcome::Failed);
        let other = TrialDeliveryState::from_text(Some(&"succeeded".into()));
        assert!(matches!(DeliveryOutcome::from_trial(&other), DeliveryOutcome::Unknown(_)));
    }

    /// A trial worker run's `mode`: `dry_run` is a dry run, `live` or `execute` a live run, anything else
    /// (a near miss included) stays unknown rather than counting as either.
    #[test]
    fn trial_worker_modes() {
        assert_eq!(WorkerMode::from_trial(Some(&"dry_run".into())), WorkerMode::DryRun);
        assert_eq!(WorkerMode::from_trial(Some(&"live".into())), WorkerMode::Live);
        assert_eq!(WorkerMode::from_trial(Some(&"execute".into())), WorkerMode::Live);
        for odd in ["dry-run", "Live", "simulate"] {
            let mode = WorkerMode::from_trial(Some(&odd.into()));
            assert!(matches!(mode, WorkerMode::Unknown(_)), "{odd}: {mode:?}");
        }
        assert!(matches!(WorkerMode::from_trial(None), WorkerMode::Unknown(_)));
    }
}
