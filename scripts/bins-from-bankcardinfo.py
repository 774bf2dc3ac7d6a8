#!/usr/bin/env python3
"""Builds crates/wallet/src/domain/bins.csv from the public `bankcardinfo` npm package (ISC
licence, https://www.npmjs.com/package/bankcardinfo; its table mirrors Alipay's card-BIN service).

    npm pack bankcardinfo@2.0.6 && tar xzf bankcardinfo-2.0.6.tgz
    python3 scripts/bins-from-bankcardinfo.py package/index.js > crates/wallet/src/domain/bins.csv

Only six-digit prefixes fit the table's key; longer ones (eight digits) are kept under their first
six when no six-digit entry claims those, shorter ones are left out. Prepaid cards are left out
(the wallet binds debit and credit cards only); semi-credit cards (准贷记卡) count as credit. The
sandbox's test BINs 411111 (Visa) and 555555 (Mastercard), which API.md requires, are appended.
BINs outside the ranges of the schemes the table names (a few Maestro-style 50xxxx) are left out.
"""
import re
import sys

ENGLISH = {
    "ICBC": "Industrial and Commercial Bank of China", "ABC": "Agricultural Bank of China",
    "BOC": "Bank of China", "CCB": "China Construction Bank", "COMM": "Bank of Communications",
    "PSBC": "Postal Savings Bank of China", "CMB": "China Merchants Bank", "CITIC": "China CITIC Bank",
    "CEB": "China Everbright Bank", "CMBC": "China Minsheng Bank", "SPABANK": "Ping An Bank",
    "SPDB": "Shanghai Pudong Development Bank", "CIB": "Industrial Bank", "HXBANK": "Hua Xia Bank",
    "GDB": "China Guangfa Bank", "BJBANK": "Bank of Beijing", "SHBANK": "Bank of Shanghai",
    "NBBANK": "Bank of Ningbo", "NJCB": "Bank of Nanjing", "JSBANK": "Bank of Jiangsu",
    "HZCB": "Bank of Hangzhou", "CZBANK": "China Zheshang Bank", "BOHAIB": "China Bohai Bank",
    "EGBANK": "Hengfeng Bank",
}


def scheme(bin6):
    if bin6.startswith("4"):
        return "visa"
    if bin6[:2] in ("51", "52", "53", "54", "55") or "2221" <= bin6[:4] <= "2720":
        return "mastercard"
    if bin6[:2] in ("34", "37"):
        return "amex"
    if bin6[:2] == "35":
        return "jcb"
    return "unionpay"


def in_known_range(bin6):
    """Whether the BIN lies in a range of a scheme the table names (ISO/IEC 7812 assignments:
    Visa 4, Mastercard 51-55, JCB 35, Amex 34/37, UnionPay 62 and the legacy domestic 60, 9x)."""
    two = int(bin6[:2])
    return 40 <= two <= 49 or 51 <= two <= 55 or two in (34, 35, 37, 60, 62) or two >= 90


def main(path):
    js = open(path, encoding="utf-8").read()
    exact, truncated = {}, {}
    for bank in re.finditer(r'bankName:\s*"([^"]+)",\s*bankCode:\s*"([^"]+)",\s*patterns:\s*\[(.*?)\]\s*\}', js, re.S):
        name, code, patterns = bank.groups()
        for reg, card_type in re.findall(r'reg:\s*/\^\(([0-9|]+)\)\\d\{\d+\}\$/g,\s*cardType:\s*"(\w+)"', patterns):
            kind = {"DC": "debit", "CC": "credit", "SCC": "credit"}.get(card_type)
            if kind is None:
                continue
            for prefix in reg.split("|"):
                row = (name, ENGLISH.get(code, code), kind)
                if len(prefix) == 6:
                    exact.setdefault(prefix, row)
                elif len(prefix) > 6:
                    truncated.setdefault(prefix[:6], row)
    for bin6, row in truncated.items():
        exact.setdefault(bin6, row)
    exact.setdefault("411111", ("Visa 测试卡（沙箱）", "Visa test card (sandbox)", "credit"))
    exact.setdefault("555555", ("Mastercard 测试卡（沙箱）", "Mastercard test card (sandbox)", "credit"))
    print("bin,issuer_zh,issuer_en,type,scheme")
    for bin6 in sorted(exact):
        if not in_known_range(bin6):
            continue
        name, english, kind = exact[bin6]
        print(f"{bin6},{name},{english},{kind},{scheme(bin6)}")


if __name__ == "__main__":
    main(sys.argv[1])
