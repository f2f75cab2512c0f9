//! The relays of one scenario run: mock relays (crate `openslots-mock-relay`)
//! scripted by the scenario, sharing the scenario clock, plus "down" relays
//! whose address refuses every connection.

use std::collections::BTreeMap;

use openslots_mock_relay::{Clock, Fault, FaultRule, MockRelay, Script, ScriptEvent};
use serde_json::Value;

use super::build::Fixtures;
use super::model::RelaySpec;

/// One running relay of a scenario.
pub struct RunningRelay {
    /// Its scenario name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// The mock relay; `None` for a relay that is down.
    pub relay: Option<MockRelay>,
}

/// The mock-relay script of one relay, with the described events in it.
pub fn script_for(spec: &RelaySpec, fx: &Fixtures) -> Result<Script, String> {
    let mut base = spec
        .script
        .clone()
        .unwrap_or_else(|| Value::Object(Default::default()));
    let Value::Object(map) = &mut base else {
        return Err(format!("relay {}: `script` must be an object", spec.name));
    };
    map.insert("name".into(), Value::from(spec.name.clone()));
    let mut script = Script::from_json(&base.to_string())
        .map_err(|e| format!("relay {}: script: {e}", spec.name))?;
    for name in &spec.store {
        let built = fx
            .events
            .get(name)
            .ok_or_else(|| format!("relay {}: unknown event {name}", spec.name))?;
        let event = built.event.clone().ok_or_else(|| {
            format!(
                "relay {}: event {name} does not verify and cannot be stored; serve it instead",
                spec.name
            )
        })?;
        script = script.with_event(event);
    }
    if !spec.serve.is_empty() {
        let mut events = Vec::new();
        for name in &spec.serve {
            let built = fx
                .events
                .get(name)
                .ok_or_else(|| format!("relay {}: unknown event {name}", spec.name))?;
            events.push(ScriptEvent::Raw(built.json.clone()));
        }
        script = script.with_fault(FaultRule::always(Fault::Inject { events }));
    }
    Ok(script)
}

/// Starts every relay of a scenario on `clock`. Must run inside a tokio
/// runtime with worker threads (the client runs on another thread).
pub async fn start(
    specs: &[RelaySpec],
    fx: &Fixtures,
    clock: &Clock,
) -> Result<BTreeMap<String, RunningRelay>, String> {
    let mut out = BTreeMap::new();
    for spec in specs {
        let running = if spec.down {
            // Bind, note the port, release it: nothing listens there now.
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| format!("relay {}: {e}", spec.name))?;
            let addr = listener
                .local_addr()
                .map_err(|e| format!("relay {}: {e}", spec.name))?;
            drop(listener);
            RunningRelay {
                name: spec.name.clone(),
                url: format!("ws://{addr}"),
                relay: None,
            }
        } else {
            let script = script_for(spec, fx)?;
            let relay = MockRelay::start(script, clock.clone())
                .await
                .map_err(|e| format!("relay {}: {e}", spec.name))?;
            RunningRelay {
                name: spec.name.clone(),
                url: relay.url().to_owned(),
                relay: Some(relay),
            }
        };
        if out.insert(spec.name.clone(), running).is_some() {
            return Err(format!("relay {} is named twice", spec.name));
        }
    }
    Ok(out)
}

/// Stops every relay.
pub async fn stop(relays: BTreeMap<String, RunningRelay>) {
    for (_, r) in relays {
        if let Some(relay) = r.relay {
            relay.stop().await;
        }
    }
}
