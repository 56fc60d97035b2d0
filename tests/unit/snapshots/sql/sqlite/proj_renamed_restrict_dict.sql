SELECT "student_id", "enroll_year" AS "year" FROM "uni.student" WHERE "enroll_year" = ?
-- params: [2021]
