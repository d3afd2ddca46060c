#!/usr/bin/env python3
"""Refreshes the Fargate prices of `cronport cost` from AWS's Price List.

For each region, reads AWS's public offer file of AmazonECS (the Price List
Bulk API: https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonECS/current/REGION/index.json,
or a copy given with --offer) and writes that region's table in
prices/prices.toml from the on-demand prices of these usage types (after
the region's prefix, such as `USE1-`):

    Fargate-vCPU-Hours:perCPU, Fargate-GB-Hours            -> x86
    Fargate-ARM-vCPU-Hours:perCPU, Fargate-ARM-GB-Hours    -> arm
    SpotUsage:Fargate-vCPU-Hours:perCPU, SpotUsage:Fargate-GB-Hours -> spot
      (when the offer lists them; else 30% of x86, as the table says)

The other tables (Scheduler, Heroku) are left as they are: their prices are
published as pages, not data; edit them by hand with the date. `as_of`
becomes today's date.

    scripts/refresh-prices.py us-east-1 ap-northeast-1          # downloads the offers
    scripts/refresh-prices.py --offer index.json                # a saved offer (its region is read from it)
"""
import argparse
import datetime
import json
import math
import re
import sys
import urllib.request

URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonECS/current/{region}/index.json"
USAGE = {
    ("x86", "vcpu_hour"): "Fargate-vCPU-Hours:perCPU",
    ("x86", "gb_hour"): "Fargate-GB-Hours",
    ("arm", "vcpu_hour"): "Fargate-ARM-vCPU-Hours:perCPU",
    ("arm", "gb_hour"): "Fargate-ARM-GB-Hours",
    ("spot", "vcpu_hour"): "SpotUsage:Fargate-vCPU-Hours:perCPU",
    ("spot", "gb_hour"): "SpotUsage:Fargate-GB-Hours",
}


def fail(message):
    sys.exit(f"error: {message}")


def rates(offer):
    """The region and its rates: {(arch, unit): dollars}."""
    found, regions = {}, set()
    on_demand = offer.get("terms", {}).get("OnDemand", {})
    for sku, product in offer.get("products", {}).items():
        attributes = product.get("attributes", {})
        usage = attributes.get("usagetype", "")
        # `USE1-Fargate-GB-Hours` -> `Fargate-GB-Hours` (us-east-1's has no
        # prefix in some offers).
        plain = usage.split("-", 1)[1] if re.match(r"^[A-Z]{2,4}\d?-", usage) else usage
        key = next((k for k, v in USAGE.items() if v == plain), None)
        if key is None:
            continue
        if attributes.get("regionCode"):
            regions.add(attributes["regionCode"])
        prices = []
        for term in on_demand.get(sku, {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = dimension.get("pricePerUnit", {}).get("USD")
                if usd is None:
                    fail(f"{usage}: a price that is not in USD; the table is in USD")
                price = float(usd)
                if not math.isfinite(price) or price < 0:
                    fail(f"{usage}: the price {usd} is not a price")
                prices.append(price)
        # One on-demand price per usage type: tiers or two SKUs would be a
        # choice this script must not make silently.
        prices = [p for p in prices if p > 0]
        if len(prices) > 1 or (prices and key in found and found[key] != prices[0]):
            fail(f"{usage} has more than one on-demand price ({', '.join(str(p) for p in prices + ([found[key]] if key in found else []))}); pick one by hand")
        if prices:
            found[key] = prices[0]
    bad = [r for r in regions if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", r)]
    if bad:
        fail(f"the offer names a region `{bad[0]}` that is not a region name")
    if len(regions) != 1:
        sys.exit(f"error: the offer names {len(regions)} regions ({', '.join(sorted(regions)) or 'none'}); expected one region's offer file")
    missing = [USAGE[k] for k in USAGE if k[0] != "spot" and k not in found]
    if missing:
        sys.exit(f"error: the offer of {regions.pop()} lists no on-demand price of {', '.join(missing)}")
    for unit in ("vcpu_hour", "gb_hour"):
        found.setdefault(("spot", unit), round(found[("x86", unit)] * 0.3, 7))
    return regions.pop(), found


def table(region, found):
    # repr: the shortest text that reads back as the same number.
    line = lambda arch: f"{arch} = {{ vcpu_hour = {found[(arch, 'vcpu_hour')]!r}, gb_hour = {found[(arch, 'gb_hour')]!r} }}"
    return f"[fargate.{region}]\n" + "\n".join(line(a) for a in ("x86", "arm", "spot")) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("regions", nargs="*", help="regions whose offer to download")
    parser.add_argument("--offer", action="append", default=[], help="a saved offer file (repeatable)")
    parser.add_argument("--table", default="prices/prices.toml", help="the price table to update")
    args = parser.parse_args()
    if not args.regions and not args.offer:
        parser.error("name regions, or give --offer FILE")
    offers = []
    try:
        for path in args.offer:
            with open(path) as f:
                offers.append(json.load(f))
        for region in args.regions:
            with urllib.request.urlopen(URL.format(region=region), timeout=60) as answer:
                offers.append(json.load(answer))
        with open(args.table) as f:
            text = f.read()
    except (OSError, ValueError) as e:
        fail(str(e))
    if not text.endswith("\n"):
        text += "\n"
    # A region's table: its header (the name quoted or not), then its
    # x86/arm/spot lines; a comment below them is not the table's.
    block_of = lambda name: re.compile(
        rf'^\[fargate\.(?:{name}|"{name}")\]\n(?:(?:x86|arm|spot)\s*=.*\n)*', re.M
    )
    for offer in offers:
        region, found = rates(offer)
        block = table(region, found)
        pattern = block_of(re.escape(region))
        if pattern.search(text):
            text = pattern.sub(lambda _: block, text, count=1)
        else:
            tables = list(block_of(r"[^\]]+").finditer(text))
            if not tables:
                fail(f"{args.table} has no [fargate.REGION] table to put {region}'s after")
            # A new region goes after the last Fargate table.
            end = tables[-1].end()
            text = text[:end] + "\n" + block + text[end:]
        print(f"{region}: x86 {found[('x86', 'vcpu_hour')]}/vCPU-h {found[('x86', 'gb_hour')]}/GB-h")
    today = datetime.date.today().isoformat()
    text = re.sub(r'^as_of = ".*"$', f'as_of = "{today}"', text, count=1, flags=re.M)
    open(args.table, "w").write(text)


if __name__ == "__main__":
    main()
