namespace Causeway.Translation.Policies;

/// <summary>How specific an attachment is; a higher value wins, whole, over a lower one.</summary>
internal enum PolicyScope
{
    Gateway = 0,
    GatewayListener = 1,
    ListenerSet = 2,
    ListenerSetListener = 3,
    Route = 4,
    RouteRule = 5,
}
