//! The live pipeline of `globalcart up`, in-process, for the benchmarks that
//! measure it under load (`bench freshness`, `bench soak`): a fresh database,
//! the topics, the consumer, the KPI cache, the API on a free loopback port and
//! a live producer at a given rate.

use globalcart_api::auth::AuthSettings;
use globalcart_api::{App, AppSettings};
use globalcart_common::{KafkaSettings, PgSettings};
use globalcart_consumers::consumer::RunReport;
use globalcart_consumers::{run_until_stopped, ConsumerSettings};
use globalcart_producers::generator::{self, GeneratorConfig};
use globalcart_producers::publish::{Faults, PublishReport};
use globalcart_producers::run::produce_live;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running pipeline; [`Pipeline::stop`] ends it and drops its database
/// unless `keep`.
pub struct Pipeline {
    pub database_url: String,
    database: String,
    admin_url: String,
    pub pool: deadpool_postgres::Pool,
    /// Base URL of the API, e.g. `http://127.0.0.1:41234`.
    pub api_url: String,
    stop: watch::Sender<bool>,
    consumer: JoinHandle<globalcart_consumers::Result<RunReport>>,
    producer: JoinHandle<globalcart_producers::Result<PublishReport>>,
    api: JoinHandle<std::io::Result<()>>,
}

/// What ran, once stopped.
pub struct Ran {
    pub produced: PublishReport,
    pub consumed: RunReport,
}

impl Pipeline {
    pub async fn start(
        pg: &PgSettings,
        kafka: &KafkaSettings,
        generate: &GeneratorConfig,
        rate: f64,
        consumer: ConsumerSettings,
        partitions: i32,
    ) -> anyhow::Result<Pipeline> {
        let (url, name) =
            globalcart_common::db::scratch_database(&pg.database_url, "bench").await?;
        crate::commands::topics::create(kafka, partitions).await?;
        // the loads, the cache's two refreshers, the API and a probe
        let pool = globalcart_common::db::pool(&url, consumer.connections() + 5)?;
        let (stop, shutdown) = watch::channel(false);
        let consumer = tokio::spawn(run_until_stopped(
            kafka.clone(),
            pool.clone(),
            consumer,
            shutdown.clone(),
        ));
        // the benchmarks poll the KPI API without signing in
        let settings = AppSettings {
            auth: AuthSettings {
                public_kpis: true,
                ..AuthSettings::default()
            },
            ..AppSettings::default()
        };
        let app = App::build(pool.clone(), &url, kafka, settings).await?;
        let api_url = format!("http://{}", app.addr());
        let api = tokio::spawn(app.run_until_stopped(shutdown.clone()));
        let live = generator::live(
            generate,
            rate,
            8640.0,
            chrono::Utc::now().timestamp_micros(),
        );
        let (k, sd) = (kafka.clone(), shutdown.clone());
        let producer =
            tokio::spawn(async move { produce_live(&k, live, Faults::default(), sd).await });
        Ok(Pipeline {
            database_url: url,
            database: name,
            admin_url: pg.database_url.clone(),
            pool,
            api_url,
            stop,
            consumer,
            producer,
            api,
        })
    }

    /// Stops every task (the consumer commits its batch in flight) and drops
    /// the database unless `keep`.
    pub async fn stop(self, keep: bool) -> anyhow::Result<Ran> {
        let _ = self.stop.send(true);
        let produced = self.producer.await??;
        let consumed = self.consumer.await??;
        self.api.await??;
        drop(self.pool);
        if !keep {
            globalcart_common::db::drop_database(&self.admin_url, &self.database).await?;
        }
        Ok(Ran { produced, consumed })
    }
}
