namespace Shop;

public enum OrderState { Draft, Placed, Paid, Shipped, Delivered, Cancelled, Refunded }

public sealed record Transition(OrderState From, OrderState To, string Event);

public sealed class Order
{
    public Order(decimal total)
    {
        throw new NotImplementedException();
    }

    public decimal Total => throw new NotImplementedException();
    public OrderState State => throw new NotImplementedException();
    public decimal AmountPaid => throw new NotImplementedException();
    public decimal RefundDue => throw new NotImplementedException();
    public string? TrackingCode => throw new NotImplementedException();
    public IReadOnlyList<Transition> History => throw new NotImplementedException();

    public IReadOnlyList<string> AllowedEvents() => throw new NotImplementedException();

    public void Place() => throw new NotImplementedException();
    public void Pay(decimal amount) => throw new NotImplementedException();
    public void Ship(string trackingCode) => throw new NotImplementedException();
    public void Deliver() => throw new NotImplementedException();
    public void Cancel() => throw new NotImplementedException();
    public void Refund() => throw new NotImplementedException();
}
