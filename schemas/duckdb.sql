-- Generated from schemas/models.py by `wirebeam schema`. Do not edit.
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY,
    url VARCHAR,
    canonical_url VARCHAR,
    source VARCHAR,
    origin VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    text VARCHAR,
    summary VARCHAR,
    author VARCHAR,
    language VARCHAR,
    categories VARCHAR[] NOT NULL,
    published_at TIMESTAMPTZ,
    content_kind VARCHAR NOT NULL,
    word_count BIGINT NOT NULL,
    content_hash VARCHAR NOT NULL,
    duplicate_of VARCHAR,
    near_duplicate_of VARCHAR,
    near_duplicate_score DOUBLE,
    event_id VARCHAR NOT NULL,
    storyline_id VARCHAR,
    feed_url VARCHAR,
    feed_title VARCHAR,
    entry_key VARCHAR,
    fallback_reason VARCHAR,
    run_id VARCHAR NOT NULL,
    ingested_at TIMESTAMPTZ NOT NULL,
    body_status VARCHAR,
    original_text VARCHAR,
    fetch_attempts BIGINT NOT NULL,
    next_fetch_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    canonical_article_id VARCHAR NOT NULL,
    article_count BIGINT NOT NULL,
    source_count BIGINT NOT NULL,
    first_published_at TIMESTAMPTZ,
    last_published_at TIMESTAMPTZ,
    created_run_id VARCHAR NOT NULL,
    updated_run_id VARCHAR NOT NULL,
    storyline_id VARCHAR
);

CREATE TABLE IF NOT EXISTS storylines (
    storyline_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    first_published_at TIMESTAMPTZ,
    last_published_at TIMESTAMPTZ,
    event_count BIGINT NOT NULL,
    article_count BIGINT NOT NULL,
    created_run_id VARCHAR NOT NULL,
    updated_run_id VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    mode VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    options JSON NOT NULL,
    articles_read BIGINT NOT NULL,
    articles_new BIGINT NOT NULL,
    articles_upgraded BIGINT NOT NULL,
    exact_duplicates BIGINT NOT NULL,
    near_duplicates BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    events_new BIGINT NOT NULL,
    events_updated BIGINT NOT NULL,
    junk_bodies BIGINT NOT NULL,
    feed_counts JSON NOT NULL,
    error VARCHAR
);

CREATE TABLE IF NOT EXISTS rejects (
    reject_id VARCHAR PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    detail VARCHAR,
    record VARCHAR,
    rejected_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS article_signatures (
    article_id VARCHAR PRIMARY KEY,
    signature BLOB NOT NULL,
    band_keys VARCHAR[] NOT NULL
);

CREATE TABLE IF NOT EXISTS article_features (
    article_id VARCHAR PRIMARY KEY,
    features JSON NOT NULL,
    blocking_keys VARCHAR[] NOT NULL,
    terms VARCHAR[] NOT NULL,
    features_version BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS article_links (
    link_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    other_article_id VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    run_id VARCHAR NOT NULL,
    features JSON
);

CREATE TABLE IF NOT EXISTS term_stats (
    term VARCHAR PRIMARY KEY,
    doc_count BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS article_paragraphs (
    article_id VARCHAR PRIMARY KEY,
    keys VARCHAR[] NOT NULL,
    witnesses VARCHAR[] NOT NULL
);

CREATE TABLE IF NOT EXISTS feeds (
    url VARCHAR PRIMARY KEY,
    title VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    last_status BIGINT,
    last_polled_at TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    consecutive_failures BIGINT NOT NULL,
    last_error VARCHAR,
    next_poll_at TIMESTAMPTZ,
    previous_urls VARCHAR[] NOT NULL,
    entry_count BIGINT NOT NULL,
    updated_run_id VARCHAR NOT NULL,
    disabled BOOLEAN
);

CREATE TABLE IF NOT EXISTS entry_reads (
    entry_key VARCHAR PRIMARY KEY,
    read_at TIMESTAMPTZ NOT NULL,
    feed_url VARCHAR
);

CREATE TABLE IF NOT EXISTS article_enrichments (
    article_id VARCHAR PRIMARY KEY,
    language VARCHAR,
    language_confidence DOUBLE,
    event_type VARCHAR,
    event_type_score BIGINT,
    event_type_evidence VARCHAR,
    event_type_confidence DOUBLE,
    event_date TIMESTAMPTZ,
    event_date_source VARCHAR,
    event_date_evidence VARCHAR,
    keywords VARCHAR[] NOT NULL
);

CREATE TABLE IF NOT EXISTS article_actors (
    article_actor_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    actor_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    country_iso2 VARCHAR,
    country_iso3 VARCHAR,
    role VARCHAR NOT NULL,
    mentions BIGINT NOT NULL,
    evidence VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS article_locations (
    article_location_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    location_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL,
    latitude DOUBLE,
    longitude DOUBLE,
    is_primary BOOLEAN NOT NULL,
    score BIGINT NOT NULL,
    mentions BIGINT NOT NULL,
    evidence VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS article_figures (
    article_figure_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    value DOUBLE NOT NULL,
    quantity VARCHAR NOT NULL,
    counts VARCHAR NOT NULL,
    qualifier VARCHAR,
    sentence VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS event_enrichments (
    event_id VARCHAR PRIMARY KEY,
    event_type VARCHAR,
    event_type_evidence VARCHAR,
    event_type_article_id VARCHAR,
    event_type_confidence DOUBLE,
    event_date TIMESTAMPTZ,
    event_date_source VARCHAR,
    event_date_article_id VARCHAR,
    primary_location_id VARCHAR,
    primary_location_name VARCHAR,
    primary_country_code VARCHAR,
    languages VARCHAR[] NOT NULL,
    keywords VARCHAR[] NOT NULL
);

CREATE TABLE IF NOT EXISTS event_actors (
    event_actor_id VARCHAR PRIMARY KEY,
    event_id VARCHAR NOT NULL,
    actor_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    country_iso2 VARCHAR,
    country_iso3 VARCHAR,
    role VARCHAR NOT NULL,
    mentions BIGINT NOT NULL,
    article_id VARCHAR NOT NULL,
    article_ids VARCHAR[] NOT NULL,
    evidence VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS event_locations (
    event_location_id VARCHAR PRIMARY KEY,
    event_id VARCHAR NOT NULL,
    location_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL,
    latitude DOUBLE,
    longitude DOUBLE,
    is_primary BOOLEAN NOT NULL,
    score BIGINT NOT NULL,
    mentions BIGINT NOT NULL,
    article_id VARCHAR NOT NULL,
    article_ids VARCHAR[] NOT NULL,
    evidence VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS event_figures (
    figure_id VARCHAR PRIMARY KEY,
    event_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    quantity VARCHAR NOT NULL,
    counts VARCHAR NOT NULL,
    qualifier VARCHAR,
    sentence VARCHAR NOT NULL
);
