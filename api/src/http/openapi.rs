//! `/api/openapi.json`: the OpenAPI 3.1 document of every endpoint.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::kpis::METRICS;
use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The document (also used by tests to check every route is described).
pub fn document() -> Value {
    let kpis = crate::kpis::Kpis::schema();
    json!({
        "openapi": "3.1.0",
        "info": {"title": "GlobalCart 360 API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Live KPIs of the GlobalCart 360 streaming pipeline. KPI definitions: docs/kpi_definitions.md."},
        "paths": {
            "/healthz": {"get": {"summary": "The process is up", "responses": {"200": {"description": "ok"}}}},
            "/readyz": {"get": {"summary": "Postgres and the broker answer and consumer lag is under the bound",
                "responses": {"200": {"description": "ready"}, "503": error_response("a dependency is unavailable or lag is too high")}}},
            "/metrics": {"get": {"summary": "Prometheus metrics (text format)",
                "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}}}},
            "/api/kpis/live": {"get": {"summary": "Snapshot of the live KPIs: windows today, last_5m, last_1h, last_24h; overall and by region, channel and category",
                "responses": {"200": {"description": "snapshot", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Snapshot"}}}}}}},
            "/api/kpis/stream": {"get": {"summary": "Server-sent events: event `kpis` with the snapshot whenever it changes, at least once a second",
                "responses": {"200": {"description": "event stream", "content": {"text/event-stream": {}}}}}},
            "/api/kpis/timeseries": {"get": {"summary": "A KPI per time bucket from the KPI views",
                "parameters": [
                    {"name": "metric", "in": "query", "schema": {"type": "string", "enum": METRICS, "default": "net_revenue_usd"}},
                    {"name": "grain", "in": "query", "schema": {"type": "string", "enum": ["hour", "day", "week", "month"], "default": "day"}},
                    {"name": "from", "in": "query", "description": "YYYY-MM-DD or RFC 3339; default to − 30 days", "schema": {"type": "string"}},
                    {"name": "to", "in": "query", "description": "YYYY-MM-DD or RFC 3339 (exclusive); default now", "schema": {"type": "string"}},
                    {"name": "by", "in": "query", "schema": {"type": "string", "enum": ["all", "region", "channel", "category"], "default": "all"}}],
                "responses": {"200": {"description": "points", "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"metric": {"type": "string"}, "grain": {"type": "string"}, "by": {"type": "string"},
                        "points": {"type": "array", "items": {"type": "object", "properties": {
                            "t": {"type": "string", "format": "date-time"}, "group": {"type": "string"}, "value": {"type": ["number", "null"]}}}}}}}}},
                    "400": error_response("an invalid parameter, named in the message")}}},
            "/api/kpis/summary": {"get": {"summary": "Every KPI over a range of UTC days (kpi_period: the numbers of the Excel report and vw_kpi_totals); money in USD, rates 0-1",
                "parameters": [
                    {"name": "from", "in": "query", "description": "first day, YYYY-MM-DD (inclusive); default unbounded", "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "description": "last day, YYYY-MM-DD (inclusive); default unbounded", "schema": {"type": "string", "format": "date"}}],
                "responses": {"200": {"description": "the KPIs", "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]}, "currency": {"type": "string"},
                        "kpis": {"type": "object", "description": "one field per column of kpi_period (docs/data_dictionary.md)"}}}}}},
                    "400": error_response("an invalid parameter, named in the message")}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "type": {"type": "string"}, "message": {"type": "string"}}}}},
            "Kpis": kpis,
            "Window": {"type": "object", "properties": {"from": {"type": "string", "format": "date-time"},
                "overall": {"$ref": "#/components/schemas/Kpis"},
                "by": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Kpis"}}}}},
            "Snapshot": {"type": "object", "properties": {"version": {"type": "integer"}, "generated_at": {"type": "string", "format": "date-time"},
                "currency": {"type": "string"}, "windows": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Window"}}}}
        }}
    })
}

async fn openapi() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kpis_schema_names_every_field_the_api_serves() {
        let served = serde_json::to_value(crate::kpis::Kpis::default()).unwrap();
        let doc = document();
        let described = doc["components"]["schemas"]["Kpis"]["properties"]
            .as_object()
            .unwrap();
        let mut a: Vec<&String> = served.as_object().unwrap().keys().collect();
        let mut b: Vec<&String> = described.keys().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }
}
