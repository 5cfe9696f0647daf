"""Net balances and the transfers that settle them."""
from .model import Expense, LedgerError, Transfer
from .money import allocate, convert, format_cents


def net_balances(expenses, base, rates):
    """{name: net cents in `base`}: positive means the group owes them money."""
    # TODO: fill in this gap — validate each expense, convert it to `base`, split it among the participants
    raise NotImplementedError


def settle(balances):
    """Transfers that bring every balance to zero: the largest debtor pays the largest creditor
    (ties by name) as much as possible, until everyone is settled."""
    debts = {name: -cents for name, cents in balances.items() if cents < 0}
    credits = {name: cents for name, cents in balances.items() if cents > 0}
    transfers = []
    while debts and credits:
        debtor = min(debts, key=lambda name: (-debts[name], name))
        creditor = min(credits, key=lambda name: (-credits[name], name))
        amount = min(debts[debtor], credits[creditor])
        transfers.append(Transfer(debtor, creditor, amount))
        for book, name in ((debts, debtor), (credits, creditor)):
            book[name] -= amount
            if book[name] == 0:
                del book[name]
    return transfers


def settle_up(expenses, base, rates):
    return settle(net_balances(expenses, base, rates))


def statement(expenses, base, rates):
    lines = [f"{t.debtor} pays {t.creditor} {format_cents(t.amount, base)}"
             for t in settle_up(expenses, base, rates)]
    return "\n".join(lines) or "Everyone is settled."
