"""Small files cut from the demo data for a user to try the import page with: a
semicolon-delimited survey export with day-first dates, a touchpoint event log (CSV) and
a customer list (XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from cem.demo.generate import generate_demo
from cem.demo.story import DEFAULT_SEED

STORES: dict[str, str] = {
    "London": "London Oxford Street",
    "South East": "Brighton Churchill Square",
    "Midlands": "Birmingham Bullring",
    "North West": "Manchester Arndale",
    "North East": "Newcastle Eldon Square",
    "Scotland": "Glasgow Buchanan Street",
    "Wales": "Cardiff Queen Street",
    "South West": "Bristol Cabot Circus",
}
SAMPLE_FILES = ("survey_export.csv", "touchpoint_events.csv", "customers.xlsx")
NPS_QUESTION = "How likely are you to recommend us to a friend?"


def write_demo_samples(
    folder: Path,
    seed: int = DEFAULT_SEED,
    n_customers: int = 300,
    n_survey: int = 500,
    n_events: int = 2_000,
) -> list[Path]:
    """Write small files a user can try the import page with, cut from the demo data:
    a semicolon-delimited survey export with day-first dates, a touchpoint event log
    (CSV) and a customer list (XLSX). Returns their paths."""
    import openpyxl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = generate_demo(seed)
    rng = np.random.default_rng([seed, 2])
    chosen = np.sort(rng.choice(len(data.customers), size=n_customers, replace=False))
    cust = data.customers.iloc[chosen]
    ids = set(cust.customer_id)
    attrs = data.customer_attributes.pivot(index="customer_id", columns="name", values="text_value")
    # Survey export: what a shop's survey tool gives you.
    answered = data.responses[
        data.responses.customer_id.isin(ids)
        & (data.responses.nps.notna() | data.responses.csat.notna())
    ]
    pick = np.sort(rng.choice(len(answered), size=min(n_survey, len(answered)), replace=False))
    survey = answered.iloc[pick]
    paths = [folder / name for name in SAMPLE_FILES]
    with open(paths[0], "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Date", NPS_QUESTION, "Customer satisfaction (1-5)", "Comment", "Store"])
        for row in survey.itertuples(index=False):
            writer.writerow(
                [
                    row.submitted_at.strftime("%d/%m/%Y"),
                    "" if pd.isna(row.nps) else int(row.nps),
                    "" if pd.isna(row.csat) else int(row.csat),
                    "" if pd.isna(row.comment) else row.comment,
                    STORES[attrs.at[row.customer_id, "Region"]],
                ]
            )
    # Event log: the latest events of the same customers.
    events = data.events[data.events.customer_id.isin(ids)]
    events = events.sort_values("occurred_at", kind="stable").tail(n_events)
    pd.DataFrame(
        {
            "Customer": events.customer_id,
            "Timestamp": events.occurred_at.dt.strftime("%Y-%m-%d %H:%M"),
            "Touchpoint": events.touchpoint,
            "Channel": events.channel,
        }
    ).to_csv(paths[1], index=False, lineterminator="\n")
    # Customer list: a CRM export.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(
        [
            "Customer ID",
            "Segment",
            "Persona",
            "Signup date",
            "Churned",
            "Churn date",
            "Revenue (£)",
            "Region",
            "Plan",
        ]
    )
    for row in cust.itertuples(index=False):
        sheet.append(
            [
                row.customer_id,
                row.segment,
                row.persona,
                row.first_seen.date(),
                "Yes" if row.churned else "No",
                None if pd.isna(row.churned_at) else row.churned_at.date(),
                float(row.revenue),
                attrs.at[row.customer_id, "Region"],
                attrs.at[row.customer_id, "Plan"],
            ]
        )
    for column, width in zip("ABCDEFGHI", (12, 15, 21, 12, 9, 12, 12, 12, 17), strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_cols(min_col=4, max_col=6, min_row=2):
        for cell in cells:
            if cell.column in (4, 6):
                cell.number_format = "DD/MM/YYYY"
    fixed = dt.datetime(2026, 11, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.save(paths[2])
    return paths
