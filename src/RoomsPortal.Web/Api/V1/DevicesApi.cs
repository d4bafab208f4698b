using RoomsPortal.Core.Devices;

namespace RoomsPortal.Web.Api.V1;

/// <summary><c>/api/v1/devices</c>: the inventory of signed-in consoles (every role, its room groups).</summary>
internal static class DevicesApi
{
    public static void MapDevicesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/devices", async (HttpContext http, DeviceInventoryService service, string? search, Guid? roomGroupId, int? page, int? pageSize) =>
            {
                if (AutomationApi.CheckPage(page, pageSize) is { } badPage)
                {
                    return badPage;
                }

                var result = await service.ListAsync(new DeviceQuery(search, roomGroupId, page ?? 1, pageSize ?? 50), http.Scope(), http.RequestAborted);
                return TypedResults.Ok(AutomationApi.Page(result, d => d));
            })
            .WithTags("Devices")
            .WithSummary("List devices")
            .WithDescription("Consoles set up through the portal, with their account and room group; search matches serial, make, model or UPN.")
            .Produces<PageResponse<DeviceView>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(AutomationApi.ReadPolicy);
    }
}
