SELECT "term_id", "grade", "term_year", "season", "points" FROM "uni.#term" CROSS JOIN "uni.#letter_grade"
-- params: []
