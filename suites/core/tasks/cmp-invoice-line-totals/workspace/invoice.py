"""Invoice arithmetic for the billing service. All money is Decimal; amounts are in one currency."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def to_money(amount):
    """Round a Decimal to whole cents, halves away from zero (the rule the tax office uses)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


class InvoiceError(ValueError):
    """An invoice line that cannot be billed."""


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal("0")
    tax_rate: Decimal = Decimal("0")  # e.g. Decimal("0.20") for 20 %


def line_net(line):
    """The net amount of one line: quantity × unit price less the line's discount, in cents."""
    # TODO: fill in this gap — validate the line, then quantity × unit price less the discount, in cents
    raise NotImplementedError


@dataclass
class Invoice:
    number: str
    lines: list = field(default_factory=list)

    def add(self, line):
        line_net(line)  # reject bad lines when they are added, not when the invoice is printed
        self.lines.append(line)
        return self

    def subtotal(self):
        return sum((line_net(line) for line in self.lines), ZERO)

    def tax_by_rate(self):
        """Tax per rate: the nets of all lines with that rate are summed, then taxed and rounded once."""
        nets = defaultdict(lambda: ZERO)
        for line in self.lines:
            nets[line.tax_rate] += line_net(line)
        return {rate: to_money(net * rate) for rate, net in sorted(nets.items())}

    def total(self):
        return self.subtotal() + sum(self.tax_by_rate().values(), ZERO)

    def summary(self):
        rows = [f"Invoice {self.number}"]
        for line in self.lines:
            rows.append(f"  {line.description:<30} {line_net(line):>10}")
        rows.append(f"  {'Subtotal':<30} {self.subtotal():>10}")
        for rate, tax in self.tax_by_rate().items():
            rows.append(f"  {'Tax ' + format((rate * HUNDRED).normalize(), 'f') + '%':<30} {tax:>10}")
        rows.append(f"  {'Total':<30} {self.total():>10}")
        return "\n".join(rows)
