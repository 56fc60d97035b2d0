SELECT "student_id", (avg(points)) AS "gpa" FROM "uni.student" JOIN (SELECT "student_id", "course_id", "term_id", "section_id", "grade", "points" FROM "uni.grade" JOIN "uni.#letter_grade" USING ("grade")) AS "$1" USING ("student_id") GROUP BY "student_id"
-- params: []
