// The oracle's table definitions, shared by tables.mjs (one table per run, for the tests) and
// bench/vs_duckdb.mjs (daily and retention in one run, timed against engaged).
// The SQL of one report table, over the tables `ev` (accepted events), `act` (user, local day
// active) and `coh` (user, cohort day) that the caller created, and the CSV header of its rows.
export function tableSql(table, tz) {
  const q = (s) => `'${s.replaceAll("'", "''")}'`;
  let sql, header;
  if (table === "revenue") {
    // Exact decimal sums per day and currency; dau from the activity definition.
    sql = `
    WITH p AS (SELECT CAST(timezone(${q(tz)}, make_timestamptz(ts_ms * 1000)) AS DATE) AS d,
                      user_id, currency, amount FROM ev WHERE type = 'purchase'),
     dau AS (SELECT day AS d, count(*) AS n FROM act GROUP BY day),
     payers AS (SELECT d, count(DISTINCT user_id) AS n FROM p GROUP BY d)
    SELECT strftime(p.d, '%Y-%m-%d') || ',' || currency || ',' ||
           regexp_replace(CAST(sum(amount) AS VARCHAR), '(\\.\\d\\d\\d*?)0+$', '\\1') || ',' ||
           count(*) || ',' || any_value(payers.n) || ',' || coalesce(any_value(dau.n), 0) AS row
    FROM p LEFT JOIN dau ON dau.d = p.d JOIN payers ON payers.d = p.d
    GROUP BY p.d, currency ORDER BY p.d, currency`;
    header = "day,currency,revenue,purchases,paying_users,dau\n";
  } else if (table === "nps") {
    // Promoters 9-10, passives 7-8, detractors 0-6; per day and over the 30 days ending on it.
    sql = `
    WITH f AS (SELECT CAST(timezone(${q(tz)}, make_timestamptz(ts_ms * 1000)) AS DATE) AS d,
                      score FROM ev WHERE type = 'feedback'),
     per_day AS (SELECT d, count(*) AS r, count(*) FILTER (WHERE score >= 9) AS p,
                        count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS m,
                        count(*) FILTER (WHERE score <= 6) AS x FROM f GROUP BY d),
     days AS (SELECT CAST(range AS DATE) AS d FROM range((SELECT min(d) FROM per_day),
              (SELECT max(d) FROM per_day) + INTERVAL 1 DAY, INTERVAL 1 DAY))
    SELECT strftime(days.d, '%Y-%m-%d') || ',' || coalesce(any_value(t.r), 0) || ',' ||
           coalesce(any_value(t.p), 0) || ',' || coalesce(any_value(t.m), 0) || ',' ||
           coalesce(any_value(t.x), 0) || ',' || coalesce(sum(w.r), 0) || ',' ||
           coalesce(sum(w.p), 0) || ',' || coalesce(sum(w.m), 0) || ',' || coalesce(sum(w.x), 0) AS row
    FROM days LEFT JOIN per_day t ON t.d = days.d
      LEFT JOIN per_day w ON w.d BETWEEN days.d - 29 AND days.d
    GROUP BY days.d ORDER BY days.d`;
    header = ("day,responses,promoters,passives,detractors,responses_30d," +
      "promoters_30d,passives_30d,detractors_30d\n");
  } else if (table === "sessions") {
    // A session: a user's accepted events sharing a session_id, or a run of their `action` events
    // without one where consecutive ones are at most 30 minutes (1800000 ms) apart (a gap
    // session). Either belongs to the day it starts.
    const bounds = [60000, 300000, 900000, 1800000, 3600000];
    const bucket = (i) => `count(*) FILTER (WHERE len >= ${i ? bounds[i - 1] : 0}` +
      (i < bounds.length ? ` AND len < ${bounds[i]})` : ")");
    sql = `
    WITH gap AS (SELECT user_id, ts_ms, CASE WHEN ts_ms - lag(ts_ms) OVER (PARTITION BY user_id
                      ORDER BY ts_ms) <= 1800000 THEN 0 ELSE 1 END AS starts
                 FROM ev WHERE type = 'action' AND session_id IS NULL),
     gap_n AS (SELECT user_id, ts_ms, sum(starts) OVER (PARTITION BY user_id ORDER BY ts_ms
                      ROWS UNBOUNDED PRECEDING) AS n FROM gap),
     s AS (SELECT min(ts_ms) AS start_ms, max(ts_ms) - min(ts_ms) AS len,
                  count(*) FILTER (WHERE type = 'action') AS actions
           FROM ev WHERE session_id IS NOT NULL GROUP BY user_id, session_id
           UNION ALL
           SELECT min(ts_ms), max(ts_ms) - min(ts_ms), count(*) FROM gap_n GROUP BY user_id, n),
     per_day AS (SELECT CAST(timezone(${q(tz)}, make_timestamptz(start_ms * 1000)) AS DATE) AS d,
                        count(*) AS sessions, sum(actions) AS actions, sum(len) AS duration,
                        ${[0, 1, 2, 3, 4, 5].map((i) => `${bucket(i)} AS b${i}`).join(", ")}
                 FROM s GROUP BY 1),
     days AS (SELECT CAST(range AS DATE) AS d FROM range((SELECT min(d) FROM per_day),
              (SELECT max(d) FROM per_day) + INTERVAL 1 DAY, INTERVAL 1 DAY))
    SELECT strftime(days.d, '%Y-%m-%d') || ',' || coalesce(sessions, 0) || ',' ||
           coalesce(actions, 0) || ',' || coalesce(duration, 0)
           ${[0, 1, 2, 3, 4, 5].map((i) => `|| ',' || coalesce(b${i}, 0)`).join(" ")} AS row
    FROM days LEFT JOIN per_day USING (d) ORDER BY days.d`;
    header = ("day,sessions,session_actions,session_duration_ms,len_lt_1m,len_1m_5m," +
      "len_5m_15m,len_15m_30m,len_30m_60m,len_ge_60m\n");
  } else if (table === "daily") {
    sql = `
    WITH days AS (SELECT CAST(range AS DATE) AS d FROM range(
           (SELECT min(day) FROM act), (SELECT max(day) FROM act) + INTERVAL 1 DAY, INTERVAL 1 DAY)),
     dau AS (SELECT day AS d, count(*) AS n FROM act GROUP BY day),
     wau AS (SELECT days.d, count(DISTINCT a.user_id) AS n FROM days JOIN act a
             ON a.day BETWEEN days.d - 6 AND days.d GROUP BY days.d),
     mau AS (SELECT days.d, count(DISTINCT a.user_id) AS n FROM days JOIN act a
             ON a.day BETWEEN days.d - 29 AND days.d GROUP BY days.d),
     nw AS (SELECT c AS d, count(*) AS n FROM coh GROUP BY c),
     ret AS (SELECT a.day AS d, count(*) AS n FROM act a JOIN act b
             ON a.user_id = b.user_id AND b.day = a.day - 1 GROUP BY a.day),
     res AS (SELECT a.day AS d, count(*) AS n FROM act a JOIN coh ON coh.user_id = a.user_id
             LEFT JOIN act b ON b.user_id = a.user_id AND b.day = a.day - 1
             WHERE b.user_id IS NULL AND coh.c < a.day GROUP BY a.day),
     dor AS (SELECT b.day + 1 AS d, count(*) AS n FROM act b
             LEFT JOIN act a ON a.user_id = b.user_id AND a.day = b.day + 1
             WHERE a.user_id IS NULL GROUP BY b.day + 1)
    SELECT strftime(days.d, '%Y-%m-%d') || ',' || coalesce(dau.n, 0) || ',' || coalesce(wau.n, 0)
       || ',' || coalesce(mau.n, 0) || ',' || coalesce(nw.n, 0) || ',' || coalesce(ret.n, 0)
       || ',' || coalesce(res.n, 0) || ',' || coalesce(dor.n, 0) AS row
    FROM days LEFT JOIN dau USING (d) LEFT JOIN wau USING (d) LEFT JOIN mau USING (d)
      LEFT JOIN nw USING (d) LEFT JOIN ret USING (d) LEFT JOIN res USING (d) LEFT JOIN dor USING (d)
    ORDER BY days.d`;
    header = "day,dau,wau,mau,new,returning,resurrecting,dormant\n";
  } else if (table === "retention-signup") {
    // Cohort = day of the user's earliest signup; n = 0 counts signups, n >= 1 active users.
    sql = `
    WITH su AS (SELECT user_id, min(CAST(timezone(${q(tz)}, make_timestamptz(ts_ms * 1000)) AS DATE)) AS c
                FROM ev WHERE type = 'signup' GROUP BY user_id),
     cells AS (SELECT c, 0 AS n, count(*) AS k FROM su GROUP BY c
               UNION ALL
               SELECT su.c, a.day - su.c AS n, count(*) AS k FROM su JOIN act a USING (user_id)
               WHERE a.day > su.c GROUP BY su.c, a.day - su.c)
    SELECT strftime(cells.c, '%Y-%m-%d') || ',' || size.k || ',' || cells.n || ',' || cells.k AS row
    FROM cells JOIN cells size ON size.c = cells.c AND size.n = 0
    ORDER BY cells.c, cells.n`;
    header = "cohort_day,cohort_size,day_n,retained\n";
  } else {
    // Periods are days, or Monday-based weeks keyed by their Monday.
    const weekly = table.includes("weekly"), unbounded = table.includes("unbounded");
    const period = (col) => weekly ? `CAST(date_trunc('week', ${col}) AS DATE)` : col;
    const diff = (a, b) => weekly ? `CAST((${a} - ${b}) / 7 AS BIGINT)` : `(${a} - ${b})`;
    const cells = unbounded
      // active on period n or later: every n from 0 to the user's last period
      ? `SELECT u.c, n, count(*) AS k FROM (
           SELECT user_id, ${period("min(day)")} AS c, ${period("max(day)")} AS l FROM act
           GROUP BY user_id) u, range(0, ${diff("u.l", "u.c")} + 1) t(n) GROUP BY u.c, n`
      : `SELECT c, n, count(DISTINCT user_id) AS k FROM (
           SELECT a.user_id, ${period("coh.c")} AS c, ${diff(period("a.day"), period("coh.c"))} AS n
           FROM act a JOIN coh USING (user_id)) GROUP BY c, n`;
    sql = `
    WITH cells AS (${cells})
    SELECT strftime(cells.c, '%Y-%m-%d') || ',' || size.k || ',' || cells.n || ',' || cells.k AS row
    FROM cells JOIN cells size ON size.c = cells.c AND size.n = 0
    ORDER BY cells.c, cells.n`;
    header = (weekly ? "cohort_week,cohort_size,week_n,retained\n"
                                : "cohort_day,cohort_size,day_n,retained\n");
  }
  return { header, sql };
}
