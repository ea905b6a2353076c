//! The shoumi application: configuration, start-up and the demo loader, used by the binary and
//! by the integration tests.

#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod demo;
pub mod ledger;

use shoumi_storage::Db;

/// Connects, migrates and seeds the county reference data if the database is new.
pub async fn open(cfg: &config::Config) -> anyhow::Result<Db> {
    let url = cfg.database_url();
    if url.starts_with("sqlite://") {
        std::fs::create_dir_all(&cfg.data_dir)?;
    }
    let db = Db::connect(&url, cfg.connect_options()).await?;
    shoumi_storage::migrate::run(&db).await?;
    let county = match &cfg.county_file {
        Some(p) => shoumi_domain::CountyData::parse(&std::fs::read_to_string(p)?)?,
        None => shoumi_domain::CountyData::gaotang(),
    };
    shoumi_storage::seed::seed_reference(&db, &county).await?;
    let programme = match &cfg.programme_file {
        Some(p) => {
            let text = std::fs::read_to_string(p)?;
            let units = shoumi_storage::programme::unit_keys(&db).await?;
            shoumi_domain::programme::ProgrammeSpec::parse(
                &text,
                shoumi_domain::programme::SpecFormat::from_name(&p.to_string_lossy()),
                |k| units.contains(k),
            )
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => shoumi_domain::programme::ProgrammeSpec::gaotang(),
    };
    shoumi_storage::programme::seed_default(&db, &programme).await?;
    Ok(db)
}
