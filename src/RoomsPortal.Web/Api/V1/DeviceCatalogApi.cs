using RoomsPortal.Core.Common;
using RoomsPortal.Core.Verification;

namespace RoomsPortal.Web.Api.V1;

/// <summary>A manufacturer's public key: ECDSA P-256, as PEM or base64 SubjectPublicKeyInfo; without a name it is named after its fingerprint.</summary>
public sealed record AddManufacturerKeyRequest(string Make, string PublicKey, string? KeyName = null);

/// <summary>A make and model to certify, exactly as the consoles report them (case is ignored).</summary>
public sealed record CertifyModelRequest(string Make, string Model);

/// <summary>
/// <c>/api/v1/device-catalog</c>: Settings &gt; Device catalog for scripts (Rooms Pro Manager, as the page): manufacturers
/// with their keys and certified models, add and revoke keys, certify and remove models.
/// </summary>
internal static class DeviceCatalogApi
{
    public static void MapDeviceCatalogApi(this RouteGroupBuilder api)
    {
        var catalog = api.MapGroup("/device-catalog").WithTags("Device catalog");
        catalog.MapGet("/", async (DeviceCatalogService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithSummary("List manufacturers, their keys and certified models")
            .WithDescription("Every manufacturer by name, its keys (active first; shown by SHA-256 fingerprint, never the key) and its certified models.")
            .Produces<IReadOnlyList<ManufacturerView>>()
            .RequireAuthorization(AutomationApi.ManagePolicy);

        catalog.MapPost("/keys", async (HttpContext http, DeviceCatalogService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<AddManufacturerKeyRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var added = await service.AddManufacturerKeyAsync(body!.Make, body.KeyName, body.PublicKey, http.Actor(), http.RequestAborted);
                return added.Succeeded
                    ? TypedResults.Created($"{AutomationApi.Root}/device-catalog/keys/{added.Value!.Id}", added.Value)
                    : Refused(added.Error!.Value, body.Make, body.KeyName, body.PublicKey, null);
            })
            .WithSummary("Add a manufacturer's public key")
            .WithDescription("ECDSA P-256 as PEM or base64 SubjectPublicKeyInfo. A manufacturer may have several active keys while it rotates them. Audited as Catalog.KeyAdded with the fingerprint.")
            .Accepts<AddManufacturerKeyRequest>("application/json")
            .Produces<ManufacturerKeyView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        catalog.MapDelete("/keys/{id:guid}", async (Guid id, HttpContext http, DeviceCatalogService service) =>
            {
                var revoked = await service.RevokeKeyAsync(id, http.Actor(), http.RequestAborted);
                return revoked.Succeeded ? TypedResults.NoContent() : Refused(revoked.Error!.Value, null, null, null, null);
            })
            .WithSummary("Revoke a manufacturer's key")
            .WithDescription("Statements it signed no longer verify; it stays listed (revoked) so its fingerprint remains on record. Audited as Catalog.KeyRevoked.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        catalog.MapPost("/models", async (HttpContext http, DeviceCatalogService service) =>
            {
                var (body, problem) = await AutomationApi.ReadAsync<CertifyModelRequest>(http.Request, http.RequestAborted);
                if (problem is not null)
                {
                    return problem;
                }

                var added = await service.AddCertifiedModelAsync(body!.Make, body.Model, http.Actor(), http.RequestAborted);
                return added.Succeeded
                    ? TypedResults.Created($"{AutomationApi.Root}/device-catalog/models/{added.Value!.Id}", added.Value)
                    : Refused(added.Error!.Value, body.Make, null, null, body.Model);
            })
            .WithSummary("Certify a model")
            .WithDescription("Its consoles pass verification when an active key of its manufacturer signed their statement. Audited as Catalog.ModelAdded.")
            .Accepts<CertifyModelRequest>("application/json")
            .Produces<CertifiedModelView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ManagePolicy);

        catalog.MapDelete("/models/{id:guid}", async (Guid id, HttpContext http, DeviceCatalogService service) =>
            {
                var removed = await service.RemoveCertifiedModelAsync(id, http.Actor(), http.RequestAborted);
                return removed.Succeeded ? TypedResults.NoContent() : Refused(removed.Error!.Value, null, null, null, null);
            })
            .WithSummary("Remove a certified model")
            .WithDescription("Its consoles fail verification (device_not_certified) from now on. Audited as Catalog.ModelRemoved.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ManagePolicy);
    }

    private static IResult Refused(CatalogError error, string? make, string? keyName, string? publicKey, string? model) => error switch
    {
        CatalogError.InvalidMake => AutomationApi.Invalid("make",
            TextRules.CheckName(make?.Trim(), DeviceCatalogService.MakeLabel, CertifiedModel.NameMaxLength) ?? "The manufacturer's name cannot be used."),
        CatalogError.InvalidModel => AutomationApi.Invalid("model",
            TextRules.CheckName(model?.Trim(), DeviceCatalogService.ModelLabel, CertifiedModel.NameMaxLength) ?? "The model's name cannot be used."),
        CatalogError.InvalidKeyName => AutomationApi.Invalid("keyName",
            TextRules.CheckName(keyName?.Trim(), DeviceCatalogService.KeyNameLabel, DeviceCatalogService.KeyNameMaxLength) ?? "The key name cannot be used."),
        CatalogError.InvalidKey => AutomationApi.Invalid("publicKey",
            ManufacturerPublicKey.Parse(publicKey).Problem is { } problem ? ManufacturerPublicKey.Describe(problem) : ManufacturerPublicKey.WhatToPaste),
        CatalogError.DuplicateKeyName => AutomationApi.Problem(StatusCodes.Status409Conflict, "duplicate_name",
            "The manufacturer has a key of this name.", "Choose another keyName."),
        CatalogError.DuplicateKey => AutomationApi.Problem(StatusCodes.Status409Conflict, "duplicate_key",
            "This key is registered already.", "Each key is added once; list the catalog to see under which manufacturer."),
        CatalogError.DuplicateModel => AutomationApi.Problem(StatusCodes.Status409Conflict, "duplicate_model",
            "The model is certified already.", "Nothing to do."),
        CatalogError.AlreadyRevoked => AutomationApi.Problem(StatusCodes.Status409Conflict, "already_revoked",
            "The key was already revoked.", "Nothing to do."),
        _ => AutomationApi.NotFound("catalog entry"),
    };
}
