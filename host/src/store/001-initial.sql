-- Scans: one row per run of `fledge scan` (or `fledge merge`).
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    catalog TEXT NOT NULL,             -- the catalog file, as given
    catalog_digest TEXT NOT NULL,      -- sha256 of its text
    settings_digest TEXT NOT NULL,     -- plugins, policies, limits and fledge's version
    shard TEXT,                        -- 'K/N', NULL for the whole catalog
    started_at TEXT NOT NULL,          -- RFC 3339, UTC
    finished_at TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'interrupted', 'complete')),
    interruptions INTEGER NOT NULL DEFAULT 0,  -- times the run was stopped and resumed
    total INTEGER NOT NULL,            -- repositories the run covers
    merged_from TEXT                   -- for `fledge merge`: the shards combined
);

-- JSON documents (evaluations and reports), stored once by content digest:
-- a repository unchanged for a month is one document, not thirty.
CREATE TABLE documents (
    digest TEXT PRIMARY KEY,
    json TEXT NOT NULL
);

-- One row per repository and run.
CREATE TABLE results (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    repository TEXT NOT NULL,
    team TEXT,
    url TEXT NOT NULL,
    recorded_stage TEXT,               -- the stage the catalog has on record
    outcome TEXT NOT NULL CHECK (outcome IN ('scanned', 'cached', 'error')),
    commit_id TEXT,
    cache_key TEXT,
    stage TEXT,
    score REAL,
    error_kind TEXT,                   -- unreachable, auth, corrupt, timeout, plugin...
    error TEXT,
    attempts INTEGER NOT NULL,
    git_ms REAL NOT NULL,
    plugin_ms REAL NOT NULL,
    evaluation TEXT REFERENCES documents (digest),
    report TEXT REFERENCES documents (digest),
    finished_at TEXT NOT NULL,
    stage_rank INTEGER,                -- the stage's position in the policy (0 = the first)
    PRIMARY KEY (run_id, repository)
);
CREATE INDEX results_by_repository ON results (repository, run_id);

-- Queryable parts of each report document.
CREATE TABLE checks (
    report TEXT NOT NULL REFERENCES documents (digest),
    check_id TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    score INTEGER NOT NULL,
    PRIMARY KEY (report, check_id)
);
CREATE TABLE category_scores (
    report TEXT NOT NULL REFERENCES documents (digest),
    category TEXT NOT NULL,
    score REAL,
    PRIMARY KEY (report, category)
);
CREATE TABLE findings (
    report TEXT NOT NULL REFERENCES documents (digest),
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    path TEXT,
    line INTEGER,
    commit_id TEXT
);
CREATE INDEX findings_by_report ON findings (report, check_id);
