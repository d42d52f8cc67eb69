-- Case 4: GET /api/v1/search?q= with two random words of the description
-- vocabulary, as ops with the bearer token.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
ops_get_cases("words.txt", function(words, random)
  return "/api/v1/search?q=" .. words[random(#words)] .. "+" ..
    words[random(#words)]
end)
