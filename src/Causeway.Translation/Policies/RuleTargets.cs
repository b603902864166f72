using Causeway.Model.Objects;
using Causeway.Translation.Gateways;

namespace Causeway.Translation.Policies;

/// <summary>
/// The targets a route rule served through a listener can be reached by, most specific first: route rule
/// (sectionName), route, ListenerSet listener, ListenerSet, Gateway listener, Gateway. Shared by every policy kind.
/// </summary>
internal static class RuleTargets
{
    public static List<PolicyTarget> For(ListenerContext l, Route route, int ruleIndex)
    {
        var ruleName = route switch
        {
            HttpRoute h when ruleIndex < h.Spec.Rules.Count => h.Spec.Rules[ruleIndex].Name,
            GrpcRoute g when ruleIndex < g.Spec.Rules.Count => g.Spec.Rules[ruleIndex].Name,
            _ => null,
        };
        var list = new List<PolicyTarget>(6);
        if (ruleName is not null) list.Add(new PolicyTarget(route.Kind, route.Namespace, route.Name, ruleName));
        list.Add(new PolicyTarget(route.Kind, route.Namespace, route.Name, null));
        var gw = l.Gateway;
        if (l.ListenerSet is { } ls)
        {
            list.Add(new PolicyTarget("ListenerSet", ls.Namespace, ls.Name, l.Name));
            list.Add(new PolicyTarget("ListenerSet", ls.Namespace, ls.Name, null));
        }
        else
        {
            list.Add(new PolicyTarget("Gateway", gw.Namespace, gw.Name, l.Name));
        }
        list.Add(new PolicyTarget("Gateway", gw.Namespace, gw.Name, null));
        return list;
    }
}
