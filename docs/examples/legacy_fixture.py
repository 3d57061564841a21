#!/usr/bin/env python3
"""Writes a small set of legacy files the way the old platform's Python code did (sqlite3, executescript, REAL
floats, naive datetimes through str() and isoformat(), text ids), for the worked example in docs/consolidation.md.

    python3 docs/examples/legacy_fixture.py /tmp/legacy

Not needed to build or test tradestore: the tests build their own fixtures in Java (LegacyFixtures).
"""
import os
import sqlite3
import sys
from datetime import datetime, timedelta

PREDICTIONS = """
CREATE TABLE IF NOT EXISTS predictions (
    prediction_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, prediction_timestamp DATETIME NOT NULL,
    predicted_action TEXT NOT NULL, action_confidence REAL NOT NULL, predicted_direction INTEGER,
    predicted_magnitude REAL, feature_vector TEXT, model_version TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    entry_price REAL DEFAULT 0, optimal_action TEXT, market_context TEXT DEFAULT 'NEUTRAL',
    UNIQUE(symbol, prediction_timestamp));
CREATE TABLE IF NOT EXISTS outcomes (
    prediction_id TEXT NOT NULL, evaluation_timestamp DATETIME NOT NULL, actual_return REAL, actual_direction INTEGER,
    exit_price REAL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
"""
POSITIONS = """
CREATE TABLE IF NOT EXISTS positions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, symbol TEXT NOT NULL, entry_date DATETIME NOT NULL, exit_date DATETIME,
    position_type TEXT, entry_price REAL, exit_price REAL, position_size INTEGER, ml_confidence REAL,
    sentiment_at_entry REAL, exit_reason TEXT, profit_loss REAL, return_percentage REAL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
"""
SENTIMENT = """
CREATE TABLE IF NOT EXISTS sentiment_analysis (
    id INTEGER PRIMARY KEY AUTOINCREMENT, symbol TEXT NOT NULL, timestamp DATETIME NOT NULL, sentiment_score REAL,
    confidence REAL, news_count INTEGER, stage_1_score REAL, stage_2_score REAL, economic_context TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP, UNIQUE(symbol, timestamp));
"""
CACHE = """
CREATE TABLE IF NOT EXISTS market_data_cache (
    id INTEGER PRIMARY KEY AUTOINCREMENT, cache_key TEXT NOT NULL UNIQUE, symbol TEXT, data TEXT NOT NULL,
    expiry_date DATETIME NOT NULL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
"""

T0 = datetime(2023, 3, 1, 10, 0, 0)


def db(root, name, script):
    path = os.path.join(root, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(script)
    return conn


def predictions(conn, stale):
    rows = [
        # id, symbol, time (str() or isoformat()), action, confidence, direction, magnitude, features, model, entry
        ("p-001", "CBA.AX", str(T0), "BUY", 0.1 + 0.2, 1, 0.0125, "[0.5, 1.25]", "lstm-v3", 101.5),
        ("p-002", "CBA.AX", (T0 + timedelta(hours=1)).isoformat(), "sell", 0.72, -1, -0.02, None, "lstm-v3", 100.1),
        ("p-003", "BHP.AX", str(T0 + timedelta(minutes=30, microseconds=250000)), "HOLD", 0.5, 0, 0.0, None, None,
         45.2),
        ("p-004", "BHP.AX", str(T0 + timedelta(hours=2)), "BUY", 0.9, 1, 0.01, "[NaN, 1.0]", "lstm-v3", 45.9),
        ("p-005", "WBC.AX", str(T0 + timedelta(hours=3)), "BUY", 0.61, 1, 0.004, None, "lstm-v3", 0),
        ("p-006", "NAB.AX", str(T0 + timedelta(hours=4)), "maybe", 0.55, 1, 0.004, None, "lstm-v3", 30.25),
    ]
    for i, r in enumerate(rows):
        if stale and r[0] in ("p-004", "p-005", "p-006"):
            continue  # the stale copy stopped before these were written
        confidence = 0.70 if stale and r[0] == "p-002" else r[4]  # the stale copy has an earlier value
        created = str(T0 + timedelta(minutes=i, seconds=1 if not stale else 0))
        conn.execute("INSERT INTO predictions (prediction_id, symbol, prediction_timestamp, predicted_action,"
                     " action_confidence, predicted_direction, predicted_magnitude, feature_vector, model_version,"
                     " entry_price, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", r[:4] + (confidence,) + r[5:] +
                     (created,))
    conn.execute("INSERT INTO outcomes (prediction_id, evaluation_timestamp, actual_return, actual_direction,"
                 " exit_price, created_at) VALUES (?,?,?,?,?,?)",
                 ("p-001", str(T0 + timedelta(days=1)), 103.53 / 101.5 - 1, 1, 103.53, str(T0 + timedelta(days=1))))
    conn.execute("INSERT INTO outcomes (prediction_id, evaluation_timestamp, actual_return, actual_direction,"
                 " exit_price, created_at) VALUES (?,?,?,?,?,?)",
                 ("p-404", str(T0 + timedelta(days=1)), 0.01, 1, 50.5, str(T0 + timedelta(days=1))))
    conn.commit()


def positions(conn):
    rows = [
        ("CBA.AX", str(T0), str(T0 + timedelta(days=1)), "long", 101.5, 103.53, 100, 0.8, 0.25, "take profit"),
        ("BHP.AX", str(T0), str(T0 + timedelta(days=2)), "SHORT", 45.237, 44.1, 200, 0.65, -0.4, "signal"),
        ("WBC.AX", str(T0), None, "Long", 22.37, None, 300, None, None, None),
    ]
    for r in rows:
        side = 1 if r[3].lower() == "long" else -1
        pnl = None if r[5] is None else (r[5] - r[4]) * r[6] * side
        if r[0] == "BHP.AX":
            pnl = round(pnl, 0)  # the old code rounded this one to whole dollars
        conn.execute("INSERT INTO positions (symbol, entry_date, exit_date, position_type, entry_price, exit_price,"
                     " position_size, ml_confidence, sentiment_at_entry, exit_reason, profit_loss, created_at)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", r + (pnl, str(T0)))
    conn.commit()


def main(root):
    predictions(db(root, "trading_predictions.db", PREDICTIONS), stale=False)
    predictions(db(root, "paper-trading-app/data/trading_predictions.db", PREDICTIONS), stale=True)
    positions(db(root, "paper_trading.db", POSITIONS))
    s = db(root, "data/sentiment_analysis.db", SENTIMENT)
    s.execute("INSERT INTO sentiment_analysis (symbol, timestamp, sentiment_score, confidence, news_count,"
              " stage_1_score, created_at) VALUES (?,?,?,?,?,?,?)", ("CBA.AX", str(T0), 0.35, 0.8, 12, 0.3, str(T0)))
    s.execute("INSERT INTO sentiment_analysis (symbol, timestamp, sentiment_score, confidence, news_count,"
              " stage_1_score, created_at) VALUES (?,?,?,?,?,?,?)", ("BHP.AX", str(T0), -0.2, 1.2, 3, None, str(T0)))
    s.commit()
    c = db(root, "trading_data.db", CACHE)
    c.execute("INSERT INTO market_data_cache (cache_key, symbol, data, expiry_date) VALUES (?,?,?,?)",
              ("CBA.AX:quote", "CBA.AX", '{"price": 101.5}', str(T0 + timedelta(minutes=5))))
    c.commit()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "legacy")
