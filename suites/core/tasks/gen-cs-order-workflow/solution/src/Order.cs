namespace Shop;

public enum OrderState { Draft, Placed, Paid, Shipped, Delivered, Cancelled, Refunded }

public sealed record Transition(OrderState From, OrderState To, string Event);

public sealed class Order
{
    private static readonly (string Event, OrderState[] From)[] Rules =
    [
        ("Place", [OrderState.Draft]),
        ("Pay", [OrderState.Placed]),
        ("Ship", [OrderState.Paid]),
        ("Deliver", [OrderState.Shipped]),
        ("Cancel", [OrderState.Draft, OrderState.Placed, OrderState.Paid]),
        ("Refund", [OrderState.Delivered]),
    ];

    private readonly List<Transition> _history = [];

    public Order(decimal total)
    {
        if (total <= 0)
            throw new ArgumentOutOfRangeException(nameof(total), total, "the total must be positive");
        Total = total;
    }

    public decimal Total { get; }
    public OrderState State { get; private set; } = OrderState.Draft;
    public decimal AmountPaid { get; private set; }
    public decimal RefundDue => State == OrderState.Refunded ? AmountPaid : 0m;
    public string? TrackingCode { get; private set; }
    public IReadOnlyList<Transition> History => _history.AsReadOnly();

    public IReadOnlyList<string> AllowedEvents() =>
        Rules.Where(r => r.From.Contains(State)).Select(r => r.Event).ToList();

    private void Require(string eventName)
    {
        if (!AllowedEvents().Contains(eventName))
            throw new InvalidOperationException($"{eventName} is not allowed when the order is {State}");
    }

    private void Move(OrderState to, string eventName)
    {
        _history.Add(new Transition(State, to, eventName));
        State = to;
    }

    public void Place()
    {
        Require("Place");
        Move(OrderState.Placed, "Place");
    }

    public void Pay(decimal amount)
    {
        Require("Pay");
        if (amount <= 0)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "the amount must be positive");
        if (AmountPaid + amount > Total)
            throw new ArgumentException("the payment exceeds the amount due", nameof(amount));
        AmountPaid += amount;
        if (AmountPaid == Total)
            Move(OrderState.Paid, "Pay");
    }

    public void Ship(string trackingCode)
    {
        Require("Ship");
        if (string.IsNullOrWhiteSpace(trackingCode))
            throw new ArgumentException("a tracking code is required", nameof(trackingCode));
        TrackingCode = trackingCode;
        Move(OrderState.Shipped, "Ship");
    }

    public void Deliver()
    {
        Require("Deliver");
        Move(OrderState.Delivered, "Deliver");
    }

    public void Cancel()
    {
        Require("Cancel");
        Move(State == OrderState.Draft || AmountPaid == 0 ? OrderState.Cancelled : OrderState.Refunded, "Cancel");
    }

    public void Refund()
    {
        Require("Refund");
        Move(OrderState.Refunded, "Refund");
    }
}
