-- People federated from an identity provider: which roles each may assume,
-- and what the sessions they were issued did.

-- SAML sign-ins: AssumeRoleWithSAML issued a session of the role, with that
-- name, to the person on that day. A session lasts at most 12 hours, so its
-- calls fall on that day or the next.
CREATE TABLE saml_signins (
    role_id      INTEGER NOT NULL REFERENCES principals (id),
    session_name TEXT    NOT NULL,
    person_id    INTEGER NOT NULL REFERENCES principals (id),
    day          INTEGER NOT NULL,
    PRIMARY KEY (role_id, session_name, person_id, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX saml_signins_person ON saml_signins (person_id);

-- Activity and successful uses of role sessions whose events name no person
-- (the session name is not an e-mail address, and no sourceIdentity names
-- one), per day. The score step credits a day of a session to the person
-- whose sign-in issued a session of that role and name that day or the day
-- before, whichever object each event came from. Sessions with names tools
-- make up (botocore-session-*, instance ids, UUIDs) are not kept: they stay
-- the role's.
CREATE TABLE usage_session_days (
    role_id      INTEGER NOT NULL REFERENCES principals (id),
    session_name TEXT    NOT NULL,
    day          INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    PRIMARY KEY (role_id, session_name, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE usage_session_actions (
    role_id       INTEGER NOT NULL REFERENCES principals (id),
    session_name  TEXT    NOT NULL,
    resource_id   INTEGER NOT NULL REFERENCES resources (id),
    action        TEXT    NOT NULL,
    day           INTEGER NOT NULL,
    first_used_at INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    PRIMARY KEY (role_id, session_name, resource_id, action, day)
) STRICT, WITHOUT ROWID;

-- Which roles each person may assume, from the identity provider (Okta's
-- AWS Account Federation app assignments, IAM Identity Center account
-- assignments). A load replaces the rows of its source as a whole.
CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES principals (id),
    role_id   INTEGER NOT NULL REFERENCES principals (id),
    -- 'okta' or 'sso'.
    source    TEXT    NOT NULL CHECK (source IN ('okta', 'sso')),
    -- How the person holds the role: 'user' for a direct assignment, else
    -- 'group:NAME'.
    via       TEXT    NOT NULL,
    PRIMARY KEY (person_id, role_id, source, via)
) STRICT, WITHOUT ROWID;
CREATE INDEX person_roles_role ON person_roles (role_id);
