using Driftwatch.TestKit;
using Shop;

public static class OrderTests
{
    private static Order PaidOrder()
    {
        var order = new Order(50m);
        order.Place();
        order.Pay(50m);
        return order;
    }

    [Test]
    public static void NewOrderStartsAsDraft()
    {
        var order = new Order(19.99m);
        Check.Equal(OrderState.Draft, order.State);
        Check.Equal(19.99m, order.Total);
        Check.Equal(0m, order.AmountPaid);
        Check.Equal(0m, order.RefundDue);
        Check.Equal(null, order.TrackingCode);
        Check.Equal(0, order.History.Count);
    }

    [Test]
    public static void TotalMustBePositive()
    {
        Check.Throws<ArgumentOutOfRangeException>(() => new Order(0m));
        Check.Throws<ArgumentOutOfRangeException>(() => new Order(-5m));
    }

    [Test]
    public static void SmallPositiveTotalsAreAccepted()
    {
        Check.Equal(1m, new Order(1m).Total, "one euro");
        var cent = new Order(0.01m);
        Check.Equal(0.01m, cent.Total, "one cent");
        cent.Place();
        cent.Pay(0.01m);
        Check.Equal(OrderState.Paid, cent.State);
    }

    [Test]
    public static void HappyPathRecordsEveryTransition()
    {
        var order = new Order(30m);
        order.Place();
        order.Pay(30m);
        order.Ship("TRK-1");
        order.Deliver();
        Check.Equal(OrderState.Delivered, order.State);
        Check.Equal("TRK-1", order.TrackingCode);
        Check.SequenceEqual(
            [
                new Transition(OrderState.Draft, OrderState.Placed, "Place"),
                new Transition(OrderState.Placed, OrderState.Paid, "Pay"),
                new Transition(OrderState.Paid, OrderState.Shipped, "Ship"),
                new Transition(OrderState.Shipped, OrderState.Delivered, "Deliver"),
            ],
            order.History);
    }

    [Test]
    public static void PartialPaymentsAccumulateUntilTheTotal()
    {
        var order = new Order(100m);
        order.Place();
        order.Pay(30m);
        order.Pay(69.99m);
        Check.Equal(OrderState.Placed, order.State);
        Check.Equal(99.99m, order.AmountPaid);
        Check.Equal(1, order.History.Count);
        order.Pay(0.01m);
        Check.Equal(OrderState.Paid, order.State);
        Check.Equal(new Transition(OrderState.Placed, OrderState.Paid, "Pay"), order.History[^1]);
    }

    [Test]
    public static void InvalidPaymentsAreRejected()
    {
        var order = new Order(100m);
        order.Place();
        order.Pay(60m);
        Check.Throws<ArgumentOutOfRangeException>(() => order.Pay(0m));
        Check.Throws<ArgumentOutOfRangeException>(() => order.Pay(-1m));
        Check.Throws<ArgumentException>(() => order.Pay(40.01m));
        Check.Equal(60m, order.AmountPaid);
        Check.Equal(OrderState.Placed, order.State);
    }

    [Test]
    public static void ShippingNeedsATrackingCode()
    {
        var order = PaidOrder();
        Check.Throws<ArgumentException>(() => order.Ship(null!));
        Check.Throws<ArgumentException>(() => order.Ship(""));
        Check.Throws<ArgumentException>(() => order.Ship("  \t"));
        Check.Equal(OrderState.Paid, order.State);
        Check.Equal(null, order.TrackingCode);
        order.Ship(" X9 ");
        Check.Equal(" X9 ", order.TrackingCode);
    }

    [Test]
    public static void CancelBeforeAnyPaymentCancels()
    {
        var draft = new Order(10m);
        draft.Cancel();
        Check.Equal(OrderState.Cancelled, draft.State);
        var placed = new Order(10m);
        placed.Place();
        placed.Cancel();
        Check.Equal(OrderState.Cancelled, placed.State);
        Check.Equal(0m, placed.RefundDue);
        Check.Equal(new Transition(OrderState.Placed, OrderState.Cancelled, "Cancel"), placed.History[^1]);
    }

    [Test]
    public static void CancelAfterPaymentRefunds()
    {
        var partial = new Order(80m);
        partial.Place();
        partial.Pay(25m);
        partial.Cancel();
        Check.Equal(OrderState.Refunded, partial.State);
        Check.Equal(25m, partial.RefundDue);
        Check.Equal(new Transition(OrderState.Placed, OrderState.Refunded, "Cancel"), partial.History[^1]);

        var paid = PaidOrder();
        paid.Cancel();
        Check.Equal(OrderState.Refunded, paid.State);
        Check.Equal(50m, paid.RefundDue);
        Check.Equal(new Transition(OrderState.Paid, OrderState.Refunded, "Cancel"), paid.History[^1]);
    }

    [Test]
    public static void RefundOnlyAfterDelivery()
    {
        var order = PaidOrder();
        Check.Throws<InvalidOperationException>(() => order.Refund());
        order.Ship("T");
        Check.Throws<InvalidOperationException>(() => order.Refund());
        Check.Throws<InvalidOperationException>(() => order.Cancel());
        Check.Equal(0m, order.RefundDue);
        order.Deliver();
        order.Refund();
        Check.Equal(OrderState.Refunded, order.State);
        Check.Equal(50m, order.RefundDue);
        Check.Equal(new Transition(OrderState.Delivered, OrderState.Refunded, "Refund"), order.History[^1]);
    }

    [Test]
    public static void WrongStateIsCheckedBeforeArguments()
    {
        var draft = new Order(10m);
        Check.Throws<InvalidOperationException>(() => draft.Pay(-1m));
        Check.Throws<InvalidOperationException>(() => draft.Pay(10m));
        Check.Throws<InvalidOperationException>(() => draft.Ship(null!));
        var placed = new Order(10m);
        placed.Place();
        Check.Throws<InvalidOperationException>(() => placed.Ship(""));
        Check.Throws<InvalidOperationException>(() => placed.Place());
        Check.Throws<InvalidOperationException>(() => placed.Deliver());
    }

    [Test]
    public static void FinalStatesAllowNothing()
    {
        var cancelled = new Order(10m);
        cancelled.Cancel();
        var refunded = PaidOrder();
        refunded.Cancel();
        foreach (var order in new[] { cancelled, refunded })
        {
            var before = order.History.Count;
            Check.Throws<InvalidOperationException>(() => order.Place());
            Check.Throws<InvalidOperationException>(() => order.Pay(1m));
            Check.Throws<InvalidOperationException>(() => order.Cancel());
            Check.Throws<InvalidOperationException>(() => order.Refund());
            Check.Equal(before, order.History.Count);
        }
    }

    [Test]
    public static void AllowedEventsFollowTheState()
    {
        var order = new Order(20m);
        Check.SequenceEqual(["Place", "Cancel"], order.AllowedEvents());
        order.Place();
        Check.SequenceEqual(["Pay", "Cancel"], order.AllowedEvents());
        order.Pay(5m);
        Check.SequenceEqual(["Pay", "Cancel"], order.AllowedEvents());
        order.Pay(15m);
        Check.SequenceEqual(["Ship", "Cancel"], order.AllowedEvents());
        order.Ship("A");
        Check.SequenceEqual(["Deliver"], order.AllowedEvents());
        order.Deliver();
        Check.SequenceEqual(["Refund"], order.AllowedEvents());
        order.Refund();
        Check.Equal(0, order.AllowedEvents().Count);
    }
}
