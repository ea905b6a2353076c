//! Prometheus metrics: requests and latencies by route, and the database pool.
//! Each instance exports its own counters; Prometheus sums across instances.

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

#[derive(Default)]
struct RouteSeries {
    /// Requests by (method, status).
    requests: BTreeMap<(String, u16), u64>,
    /// Latency by method.
    latency: BTreeMap<String, Series>,
}

/// In-process counters, keyed by route so that a request on a known route allocates nothing.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteSeries>>,
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, d: Duration) {
        let secs = d.as_secs_f64();
        let mut routes = self.routes.lock().expect("metrics lock");
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), RouteSeries::default());
        }
        let r = routes.get_mut(route).expect("inserted");
        match r
            .requests
            .iter_mut()
            .find(|((m, s), _)| m == method && *s == status)
        {
            Some((_, n)) => *n += 1,
            None => {
                r.requests.insert((method.to_string(), status), 1);
            }
        }
        if !r.latency.contains_key(method) {
            r.latency.insert(method.to_string(), Series::default());
        }
        let s = r.latency.get_mut(method).expect("inserted");
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
        let routes = self.routes.lock().expect("metrics lock");
        let mut out = String::new();
        out.push_str(
            "# HELP shoumi_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE shoumi_http_requests_total counter\n");
        for (r, series) in routes.iter() {
            let r = escape(r);
            for ((m, s), n) in &series.requests {
                let _ = writeln!(
                    out,
                    "shoumi_http_requests_total{{route=\"{r}\",method=\"{m}\",status=\"{s}\"}} {n}"
                );
            }
        }
        out.push_str(
            "# HELP shoumi_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE shoumi_http_request_duration_seconds histogram\n");
        for (r, series) in routes.iter() {
            let r = escape(r);
            for (m, s) in &series.latency {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_latencies_are_exported_by_route() {
        let m = Metrics::default();
        m.observe("/enterprises", "GET", 200, Duration::from_millis(3));
        m.observe("/enterprises", "GET", 200, Duration::from_millis(30));
        m.observe("/enterprises", "GET", 404, Duration::from_millis(1));
        let text = m.render(2, 1, 10);
        assert!(text.contains(
            "shoumi_http_requests_total{route=\"/enterprises\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 2"));
        assert!(text.contains(
            "shoumi_http_request_duration_seconds_count{route=\"/enterprises\",method=\"GET\"} 3"
        ));
        assert!(text.contains("shoumi_db_pool_connections{state=\"max\"} 10"));
    }
}
