.PHONY: demo test setup run worker scheduler bench bench-customers bench-contracts bench-cashdesk bench-pipeline bench-packs bench-analytics bench-surveys bench-complaints bench-loyalty bench-mailing bench-campaigns clean

# Run Punkt with demo data on the embedded SQLite database at http://127.0.0.1:8000
demo: setup
	bash scripts/demo.sh

# The whole test suite (SQLite, PostgreSQL when reachable, browser tests)
test: setup
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

worker:
	.venv/bin/punkt worker

scheduler:
	.venv/bin/punkt scheduler

# Organisation benchmark on PostgreSQL (override BENCH_DB_URL for another server)
BENCH_DB_URL ?= postgres://postgres@127.0.0.1:5432/punkt_bench
bench: setup
	createdb -h 127.0.0.1 -U postgres punkt_bench 2>/dev/null || true
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_org.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_org.py --n 200

# Customer registry benchmark: 1,000,000 customers (≈2.5 min to load), then lists,
# searches, profile and API timings, then a 100,000-row CSV import
bench-customers: setup
	createdb -h 127.0.0.1 -U postgres punkt_bench 2>/dev/null || true
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_org.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_customers.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_customers.py --n 200
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_import.py --rows 100000

# Contracts and retention: 5,000,000 contracts on top of the customers (≈7 min to load)
bench-contracts: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_contracts.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_contracts.py --n 100

# Cashier's desk: 20,000,000 invoices, payments and till entries on top of the customers
bench-cashdesk: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_cashdesk.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_cashdesk.py --n 100

# Sales pipeline on top of bench-customers: 3M opportunities, ≈9M tasks (≈25 min to load)
bench-pipeline: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_pipeline.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_pipeline.py --n 100

# The monthly packs of every branch (the scheduled job), on the pipeline's data
bench-packs: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_packs.py --plans

# 100,000 survey invitations queued by the yearly rule (makes its own customers if needed)
bench-surveys: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_surveys.py --customers 100000

# Complaints and survey results on top of bench-customers (gen_org + gen_customers): 500k
# complaints with 3M history rows, 2M survey invitations, 1M questionnaires, 5M answers
# (≈16 min to load on a busy host), then the pages in-process and through gunicorn
bench-complaints: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_complaints.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_complaints.py --n 50

# Counter sales with a loyalty card (discount and points) against 100,000 cards
bench-loyalty: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_loyalty.py --cards 100000 --entries 300000 --sales 200

# Campaign effectiveness (issue 20): 500 campaigns, 100,000 customers brought, on top of
# the customers and gen_analytics.py's counter sales; the report in-process and through
# gunicorn
bench-campaigns: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_campaigns.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_campaigns.py --n 30

# Customer analytics: counter sales on top of the customers, invoices and contracts; the
# full refresh and the pages
bench-analytics: setup
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/gen_analytics.py --reset
	DATABASE_URL=$(BENCH_DB_URL) .venv/bin/python bench/run_analytics.py --runs 2 --n 100

# A mass mailing to ≥ 500,000 consenting customers: queued set-based, then sent through
# the job's steps (own database: the customers are loaded once, ≈3–10 min, then reused)
MASS_DB_URL ?= postgres://postgres@127.0.0.1:5432/punkt_bench_mass
bench-mailing: setup
	createdb -h 127.0.0.1 -U postgres punkt_bench_mass 2>/dev/null || true
	DATABASE_URL=$(MASS_DB_URL) .venv/bin/python bench/run_mailing.py --check || ( \
		DATABASE_URL=$(MASS_DB_URL) .venv/bin/python bench/gen_org.py --reset --branches 100 --employees 2000 && \
		DATABASE_URL=$(MASS_DB_URL) .venv/bin/python bench/gen_customers.py --reset --timeline-per-customer 1 )
	DATABASE_URL=$(MASS_DB_URL) .venv/bin/python bench/run_mailing.py --send 2000

clean:
	rm -rf .venv var
