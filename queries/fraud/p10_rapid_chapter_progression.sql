-- Pattern 10 (rapid_chapter_progression_flag): chapter_complete events of UTC days with more than
-- more_than_chapters of them and fewer than credits_per_chapter_below credits earned per
-- chapter; credits earned on a day = the sum of the day's credits_balance rises (each from the
-- player's previous event carrying credits). value = credits earned per chapter that day.
-- The ordered window runs only over players with such a day of chapter completions.
WITH busy AS (
    SELECT DISTINCT distinct_id
    FROM game_events
    WHERE event_name = 'chapter_complete' AND event_time < $until
    GROUP BY distinct_id, CAST(event_time AS DATE)
    HAVING count(*) > $more_than_chapters
),
ev AS (
    SELECT distinct_id, event_time, event_name, chapter, credits_balance, metapoints_balance,
           quantity, price_usd, payment_platform, CAST(event_time AS DATE) AS day,
           credits_balance - lag(credits_balance IGNORE NULLS)
               OVER (PARTITION BY distinct_id ORDER BY event_time) AS credits_up
    FROM game_events
    WHERE event_time < $until AND distinct_id IN (SELECT distinct_id FROM busy)
),
days AS (
    SELECT distinct_id, day,
           count(*) FILTER (WHERE event_name = 'chapter_complete') AS chapters,
           sum(CASE WHEN credits_up > 0 THEN credits_up ELSE 0 END) AS earned
    FROM ev GROUP BY distinct_id, day
),
hits AS (
    SELECT distinct_id, day, CAST(earned AS DOUBLE) / chapters AS per_chapter
    FROM days
    WHERE chapters > $more_than_chapters AND CAST(earned AS DOUBLE) / chapters < $credits_per_chapter_below
)
SELECT e.distinct_id, e.event_time, e.event_name, e.chapter, e.credits_balance, e.metapoints_balance,
       e.quantity, e.price_usd, e.payment_platform, CAST(NULL AS VARCHAR) AS purchase_id,
       CAST(e.day AS VARCHAR) AS detail, h.per_chapter AS value
FROM ev AS e
JOIN hits AS h ON h.distinct_id = e.distinct_id AND h.day = e.day
WHERE e.event_name = 'chapter_complete'
