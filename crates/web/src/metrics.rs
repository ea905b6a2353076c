//! Prometheus metrics: requests and latencies by route, and the database pool.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; 12],
}

/// In-process counters. Each instance exports its own; Prometheus sums across instances.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Series>>,
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, d: Duration) {
        let secs = d.as_secs_f64();
        *self
            .requests
            .lock()
            .expect("metrics lock")
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let mut l = self.latency.lock().expect("metrics lock");
        let s = l
            .entry((route.to_string(), method.to_string()))
            .or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, pool_size: u32, pool_idle: usize, pool_max: u32) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP shoumi_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE shoumi_http_requests_total counter\n");
        for ((r, m, s), n) in self.requests.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "shoumi_http_requests_total{{route=\"{}\",method=\"{m}\",status=\"{s}\"}} {n}",
                escape(r)
            );
        }
        out.push_str(
            "# HELP shoumi_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE shoumi_http_request_duration_seconds histogram\n");
        for ((r, m), s) in self.latency.lock().expect("metrics lock").iter() {
            let r = escape(r);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "shoumi_http_request_duration_seconds_bucket{{route=\"{r}\",method=\"{m}\",le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "shoumi_http_request_duration_seconds_bucket{{route=\"{r}\",method=\"{m}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "shoumi_http_request_duration_seconds_sum{{route=\"{r}\",method=\"{m}\"}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "shoumi_http_request_duration_seconds_count{{route=\"{r}\",method=\"{m}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP shoumi_db_pool_connections Database pool connections.\n");
        out.push_str("# TYPE shoumi_db_pool_connections gauge\n");
        let _ = writeln!(
            out,
            "shoumi_db_pool_connections{{state=\"open\"}} {pool_size}"
        );
        let _ = writeln!(
            out,
            "shoumi_db_pool_connections{{state=\"idle\"}} {pool_idle}"
        );
        let _ = writeln!(
            out,
            "shoumi_db_pool_connections{{state=\"max\"}} {pool_max}"
        );
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
