//! The event store: NIP-01 storage with replaceable and addressable
//! replacement, NIP-40 expiry at query time, and the rule-breaking variants
//! a relay suite's self-test needs.
//!
//! Well-behaved rules (NIP-01): for replaceable kinds (0, 3, 10000-19999)
//! per (kind, pubkey), for addressable kinds (30000-39999) per (kind,
//! pubkey, first `d` value): a newer `created_at` replaces; an older one is
//! refused and never served; on equal `created_at` the lowest id is kept.
//! Expired events (NIP-40, expiration < now) stay in memory but are not
//! served. Versions that were replaced or refused are kept aside, never
//! served by the store itself, for the `serve_stale` fault.

use crate::event::{Address, SharedEvent};
use crate::filter::{Filter, MatchOptions};

/// Which replacement rules the store breaks (all false: well-behaved).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreRules {
    /// Keep every version of an address.
    pub keep_all_versions: bool,
    /// An older version published later replaces the newer one.
    pub older_replaces_newer: bool,
    /// On equal created_at the later arrival wins.
    pub tie_keeps_last_arrival: bool,
}

/// The outcome of [`Store::insert`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Insert {
    /// Stored; nothing replaced.
    Stored,
    /// Stored, replacing this older version.
    Replaced(SharedEvent),
    /// An event with this id is already stored.
    Duplicate,
    /// Refused: the stored version of the address is newer.
    RefusedOlder,
    /// Refused: the stored version has the same created_at and a lower id.
    RefusedTie,
}

/// How queries treat limits and expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryOptions {
    /// How filters match.
    pub matching: MatchOptions,
    /// Serve expired events too.
    pub include_expired: bool,
    /// Disregard `limit`, `max_limit` and `default_limit`.
    pub ignore_limit: bool,
    /// Clamp for each filter's `limit`.
    pub max_limit: u64,
    /// Limit of a filter without `limit`.
    pub default_limit: u64,
}

/// The events a relay serves, and the versions it set aside.
#[derive(Clone, Debug, Default)]
pub struct Store {
    rules: StoreRules,
    events: Vec<SharedEvent>,
    set_aside: Vec<SharedEvent>,
}

fn newest_first(a: &SharedEvent, b: &SharedEvent) -> std::cmp::Ordering {
    b.created_at
        .cmp(&a.created_at)
        .then_with(|| a.id.cmp(&b.id))
}

impl Store {
    /// An empty store following `rules`.
    pub fn new(rules: StoreRules) -> Self {
        Self {
            rules,
            ..Self::default()
        }
    }

    /// Every served (current) event, in order of arrival.
    pub fn events(&self) -> &[SharedEvent] {
        &self.events
    }

    /// Versions replaced or refused, in order of arrival.
    pub fn set_aside(&self) -> &[SharedEvent] {
        &self.set_aside
    }

    fn put_aside(&mut self, event: SharedEvent) {
        if !self.set_aside.iter().any(|e| e.id == event.id) {
            self.set_aside.push(event);
        }
    }

    /// Stores `event` (already validated) by the replacement rules.
    pub fn insert(&mut self, event: SharedEvent) -> Insert {
        if self.events.iter().any(|e| e.id == event.id) {
            return Insert::Duplicate;
        }
        let address = match event.address() {
            Some(a) if !self.rules.keep_all_versions => a,
            _ => {
                self.events.push(event);
                return Insert::Stored;
            }
        };
        let Some(pos) = self
            .events
            .iter()
            .position(|e| e.address().as_ref() == Some(&address))
        else {
            self.events.push(event);
            return Insert::Stored;
        };
        let current = self.events[pos].clone();
        let replace = if event.created_at > current.created_at {
            true
        } else if event.created_at < current.created_at {
            self.rules.older_replaces_newer
        } else {
            self.rules.tie_keeps_last_arrival || event.id < current.id
        };
        if replace {
            self.events.remove(pos);
            self.events.push(event);
            self.put_aside(current.clone());
            Insert::Replaced(current)
        } else {
            let tie = event.created_at == current.created_at;
            self.put_aside(event);
            if tie {
                Insert::RefusedTie
            } else {
                Insert::RefusedOlder
            }
        }
    }

    /// Stores `event` without any replacement rule (raw preloads).
    pub fn insert_unchecked(&mut self, event: SharedEvent) {
        if !self
            .events
            .iter()
            .any(|e| e.id == event.id && e.json == event.json)
        {
            self.events.push(event);
        }
    }

    /// Events matching one filter: newest first (ties by lowest id), expired
    /// ones left out unless `include_expired`, at most the filter's limit.
    pub fn query_one(&self, filter: &Filter, now: u64, options: &QueryOptions) -> Vec<SharedEvent> {
        let mut found: Vec<SharedEvent> = self
            .events
            .iter()
            .filter(|e| filter.matches(e, &options.matching))
            .filter(|e| options.include_expired || !e.is_expired_at(now))
            .cloned()
            .collect();
        found.sort_by(newest_first);
        if !options.ignore_limit {
            let limit = filter
                .limit
                .unwrap_or(options.default_limit)
                .min(options.max_limit);
            found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        found
    }

    /// The union of [`Store::query_one`] over `filters`, without repeats,
    /// in filter order.
    pub fn query(&self, filters: &[Filter], now: u64, options: &QueryOptions) -> Vec<SharedEvent> {
        let mut out: Vec<SharedEvent> = Vec::new();
        for filter in filters {
            for event in self.query_one(filter, now, options) {
                if !out.iter().any(|e| e.id == event.id && e.json == event.json) {
                    out.push(event);
                }
            }
        }
        out
    }

    /// Set-aside versions of `address`, newest first.
    pub fn older_versions(&self, address: &Address) -> Vec<SharedEvent> {
        let mut found: Vec<SharedEvent> = self
            .set_aside
            .iter()
            .filter(|e| e.address().as_ref() == Some(address))
            .cloned()
            .collect();
        found.sort_by(newest_first);
        found
    }
}
