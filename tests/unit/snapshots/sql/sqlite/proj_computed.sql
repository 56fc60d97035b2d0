SELECT "course_id", "term_id", "section_id", (capacity - 10) AS "spare", (coalesce(room, '%none')) AS "where_" FROM "uni.section"
-- params: []
