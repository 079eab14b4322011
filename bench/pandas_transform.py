#!/usr/bin/python3
"""The original's transform in pandas, as docs/performance.md describes it: the peer Transform is
measured against (benchmark only; python3-pandas from Debian). Same input (a raw snapshot
object), same rows, columns and metrics as TransformStep, written to a CSV.

  pandas_transform.py RAW_OBJECT.json OUT.csv
"""
import json
import sys

import pandas as pd

COLUMNS = [
    "fetch_time", "vs_currency", "id", "symbol", "name", "current_price", "market_cap", "market_cap_rank",
    "fully_diluted_valuation", "total_volume", "high_24h", "low_24h", "price_change_24h",
    "price_change_percentage_24h", "market_cap_change_24h", "market_cap_change_percentage_24h",
    "circulating_supply", "total_supply", "max_supply", "ath", "ath_change_percentage", "ath_date", "atl",
    "atl_change_percentage", "atl_date", "roi_times", "roi_currency", "roi_percentage", "last_updated",
    "dominance_percentage", "volume_percentage", "global_dominance_percentage",
]


def main(raw_path, csv_path):
    with open(raw_path, "rb") as f:
        raw = json.load(f)
    metadata = raw["metadata"]
    coins = [c for page in raw["pages"] for c in page if isinstance(c, dict)]
    df = pd.DataFrame(coins)

    # Keep coins with id, symbol, name and a non-negative numeric price; first sighting of an id wins.
    for text in ("id", "symbol", "name"):
        df = df[df[text].map(lambda v: isinstance(v, str) and v != "")]
    df = df[df["current_price"].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))]
    df["current_price"] = df["current_price"].astype(float)
    df = df[df["current_price"] >= 0]
    for column in ("market_cap", "total_volume"):
        df[column] = pd.to_numeric(df[column], errors="coerce")
        df = df[~(df[column] < 0)]
    df = df.drop_duplicates(subset="id", keep="first")

    roi = df["roi"].map(lambda r: r if isinstance(r, dict) else {}) if "roi" in df else pd.Series([{}] * len(df))
    df["roi_times"] = roi.map(lambda r: r.get("times"))
    df["roi_currency"] = roi.map(lambda r: r.get("currency"))
    df["roi_percentage"] = roi.map(lambda r: r.get("percentage"))

    global_total = None
    data = (raw.get("global") or {}).get("data") or {}
    total = (data.get("total_market_cap") or {}).get(metadata["vs_currency"])
    if isinstance(total, (int, float)) and total:
        global_total = float(total)

    market_cap_sum = df["market_cap"].sum(min_count=1)
    volume_sum = df["total_volume"].sum(min_count=1)
    df["dominance_percentage"] = df["market_cap"] / market_cap_sum * 100 if market_cap_sum else None
    df["volume_percentage"] = df["total_volume"] / volume_sum * 100 if volume_sum else None
    usable = global_total is not None and not (market_cap_sum > global_total * 1.02)
    df["global_dominance_percentage"] = df["market_cap"] / global_total * 100 if usable else None
    df["fetch_time"] = metadata["fetch_time"]
    df["vs_currency"] = metadata["vs_currency"]
    df["market_cap_rank"] = pd.to_numeric(df["market_cap_rank"], errors="coerce").astype("Int64")
    for column in COLUMNS:
        if column not in df:
            df[column] = None
    df[COLUMNS].to_csv(csv_path, index=False, lineterminator="\r\n")
    print(json.dumps({"rows": len(df)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
