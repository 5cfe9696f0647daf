"""Net balances and the transfers that settle them."""
from .model import Expense, LedgerError, Transfer
from .money import allocate, convert, format_cents


def net_balances(expenses, base, rates):
    """{name: net cents in `base`}: positive means the group owes them money."""
    net = {}
    for expense in expenses:
        if expense.amount <= 0:
            raise LedgerError(f"{expense.description}: amount must be positive")
        if isinstance(expense.shares, dict):
            pairs = list(expense.shares.items())
        else:
            names = list(expense.shares)
            if len(set(names)) != len(names):
                raise LedgerError(f"{expense.description}: a participant is listed twice")
            pairs = [(name, 1) for name in names]
        if not pairs:
            raise LedgerError(f"{expense.description}: no participants")
        for name, weight in pairs:
            if type(weight) is not int or weight <= 0:
                raise LedgerError(f"{expense.description}: weight of {name} must be a positive int")
        pairs.sort()
        amount = convert(expense.amount, expense.currency, base, rates)
        net[expense.payer] = net.get(expense.payer, 0) + amount
        parts = allocate(amount, [weight for _, weight in pairs])
        for (name, _), part in zip(pairs, parts):
            net[name] = net.get(name, 0) - part
    return {name: cents for name, cents in net.items() if cents != 0}


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
