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
        for term in on_demand.get(sku, {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                price = float(dimension["pricePerUnit"]["USD"])
                if price > 0:
                    found[key] = price
    if len(regions) != 1:
        sys.exit(f"error: the offer names {len(regions)} regions ({', '.join(sorted(regions)) or 'none'}); expected one region's offer file")
    missing = [USAGE[k] for k in USAGE if k[0] != "spot" and k not in found]
    if missing:
        sys.exit(f"error: the offer of {regions.pop()} lists no on-demand price of {', '.join(missing)}")
    for unit in ("vcpu_hour", "gb_hour"):
        found.setdefault(("spot", unit), round(found[("x86", unit)] * 0.3, 7))
    return regions.pop(), found


def table(region, found):
    line = lambda arch: f"{arch} = {{ vcpu_hour = {found[(arch, 'vcpu_hour')]:g}, gb_hour = {found[(arch, 'gb_hour')]:g} }}"
    return f"[fargate.{region}]\n" + "\n".join(line(a) for a in ("x86", "arm", "spot")) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("regions", nargs="*", help="regions whose offer to download")
    parser.add_argument("--offer", action="append", default=[], help="a saved offer file (repeatable)")
    parser.add_argument("--table", default="prices/prices.toml", help="the price table to update")
    args = parser.parse_args()
    if not args.regions and not args.offer:
        parser.error("name regions, or give --offer FILE")
    offers = [json.load(open(path)) for path in args.offer]
    for region in args.regions:
        with urllib.request.urlopen(URL.format(region=region), timeout=60) as answer:
            offers.append(json.load(answer))
    text = open(args.table).read()
    for offer in offers:
        region, found = rates(offer)
        block = table(region, found)
        pattern = re.compile(rf"^\[fargate\.{re.escape(region)}\]\n(?:[^\[\n].*\n)*", re.M)
        if pattern.search(text):
            text = pattern.sub(block, text, count=1)
        else:
            # A new region goes after the last Fargate table.
            last = list(re.finditer(r"^\[fargate\.[^\]]+\]\n(?:[^\[\n].*\n)*", text, re.M))[-1]
            text = text[: last.end()] + "\n" + block + text[last.end():]
        print(f"{region}: x86 {found[('x86', 'vcpu_hour')]}/vCPU-h {found[('x86', 'gb_hour')]}/GB-h")
    today = datetime.date.today().isoformat()
    text = re.sub(r'^as_of = ".*"$', f'as_of = "{today}"', text, count=1, flags=re.M)
    open(args.table, "w").write(text)


if __name__ == "__main__":
    main()
