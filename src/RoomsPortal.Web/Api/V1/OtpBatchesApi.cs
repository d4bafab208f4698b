using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Otps;

namespace RoomsPortal.Web.Api.V1;

/// <summary>One account's sign-in data for a batch that keeps the caller's passwords.</summary>
public sealed record SignInDataItem(string Upn, string Password)
{
    public override string ToString() => $"SignInDataItem {{ Upn = {Upn}, Password = *** }}";
}

/// <summary>
/// What to generate: <c>GeneratePasswords</c> resets each account's password; <c>UploadedSignInData</c> keeps the
/// passwords given in <see cref="SignInData"/> (one per account).
/// </summary>
public sealed record CreateOtpBatchRequest(IReadOnlyList<Guid> AccountIds, OtpPasswordMode PasswordMode, IReadOnlyList<SignInDataItem>? SignInData = null);

/// <summary>One issued code: shown in this answer only, never again.</summary>
public sealed record IssuedCodeResponse(Guid OtpId, Guid AccountId, string Upn, string DisplayName, string Code, string Password)
{
    public override string ToString() => $"IssuedCodeResponse {{ OtpId = {OtpId}, Upn = {Upn}, Code = ***, Password = *** }}";
}

public sealed record OtpBatchResponse(Guid BatchId, DateTimeOffset ExpiresAt, IReadOnlyList<IssuedCodeResponse> Codes);

/// <summary><c>/api/v1/otp-batches</c>: generate codes, list a batch's status, revoke one code (Rooms Pro Manager, Site Lead).</summary>
internal static class OtpBatchesApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Room for 10,000 accounts with their sign-in data (about 110 bytes each with typical names and passwords).</summary>
    public const int MaxBatchBodyBytes = 4 * 1024 * 1024;

    public static void MapOtpBatchesApi(this RouteGroupBuilder api)
    {
        var batches = api.MapGroup("/otp-batches").WithTags("One-time passwords");
        batches.MapPost("/", CreateAsync)
            .WithSummary("Generate one-time passwords")
            .WithDescription("Issues a code per account, returned once in this answer. Send an Idempotency-Key header (1-128 visible ASCII "
                + "characters) so a retried call never issues twice: a retry with the same key answers 409 idempotency_key_used with the "
                + "earlier batch's id, and the codes stay as they were issued (revoke and issue again if they were lost).")
            .Accepts<CreateOtpBatchRequest>("application/json")
            .Produces<OtpBatchResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        batches.MapGet("/{batchId:guid}/codes", async (Guid batchId, HttpContext http, OtpService otps, int? page, int? pageSize) =>
            {
                if (AutomationApi.CheckPage(page, pageSize) is { } badPage)
                {
                    return badPage;
                }

                var codes = await otps.ListBatchCodesAsync(batchId, http.Scope(), page ?? 1, pageSize ?? 50, http.RequestAborted);
                return codes is null ? AutomationApi.NotFound("OTP batch") : TypedResults.Ok(AutomationApi.Page(codes, c => c));
            })
            .WithSummary("List a batch's codes and where each stands")
            .WithDescription("Per code: the account, its state (Active: issued and usable; Redeemed, Revoked, Expired), when it was issued and expires, "
                + "and who redeemed it. Never the code itself. Only the accounts in the key's room groups; 404 when none is.")
            .Produces<PageResponse<BatchCodeStatus>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);

        batches.MapDelete("/codes/{otpId:guid}", async (Guid otpId, HttpContext http, OtpService otps) =>
            {
                var revoked = await otps.RevokeAsync(otpId, http.Actor(), http.Scope(), http.RequestAborted);
                return revoked.Succeeded
                    ? TypedResults.NoContent()
                    : revoked.Error == OtpRevokeError.NotFound
                        ? AutomationApi.NotFound("code")
                        : AutomationApi.Problem(StatusCodes.Status409Conflict, "not_active", "The code is no longer active.", "It was redeemed, revoked or has expired.");
            })
            .WithSummary("Revoke a code")
            .WithDescription("The code stops working at once; audited as Otps.Revoked.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization(AutomationApi.ProvisionPolicy);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, OtpService otps, IdempotencyKeys idempotency)
    {
        var idempotencyKey = http.Request.Headers[IdempotencyHeader].ToString();
        if (idempotencyKey.Length > 0 && !IdempotencyKeys.IsValid(idempotencyKey))
        {
            return AutomationApi.Invalid(IdempotencyHeader, "The Idempotency-Key header is 1 to 128 visible ASCII characters (a UUID is a good one).");
        }

        var (body, problem) = await AutomationApi.ReadAsync<CreateOtpBatchRequest>(http.Request, http.RequestAborted, MaxBatchBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.PasswordMode is not (OtpPasswordMode.GeneratePasswords or OtpPasswordMode.UploadedSignInData))
        {
            return AutomationApi.Invalid("passwordMode", "passwordMode is GeneratePasswords or UploadedSignInData.");
        }

        var actor = http.Actor();
        Guid? reservation = null;
        if (idempotencyKey.Length > 0)
        {
            // What the call asks for, in any order, without the passwords (see Fingerprint): the same key with other
            // accounts, another mode or other sign-in names is a different request.
            var fingerprint = IdempotencyKeys.Fingerprint(
                [body.PasswordMode.ToString(), .. (body.AccountIds ?? []).Select(id => id.ToString("N")).Order(StringComparer.Ordinal),
                    .. (body.SignInData ?? []).Select(s => s.Upn).Order(StringComparer.Ordinal)]);
            var reserved = await idempotency.ReserveAsync(actor.Id, idempotencyKey, fingerprint, http.RequestAborted);
            if (reserved.DifferentRequest)
            {
                return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused",
                    "This Idempotency-Key was used for a different request.",
                    "An earlier call with this key asked for other accounts or another password mode, so it was not repeated and nothing was issued. "
                        + "Send a new key with each new request (a UUID is a good one).");
            }

            if (!reserved.MayProceed)
            {
                return ApiProblems.Problem(StatusCodes.Status409Conflict, "idempotency_key_used",
                    "This Idempotency-Key was already used.",
                    reserved.EarlierResultId is { } earlier
                        ? $"An earlier call with it issued batch {earlier}; nothing was issued again. Codes are shown once: revoke and issue again if they were lost."
                        : "An earlier call with it is still running or stopped before it answered; codes may have been issued. "
                            + "List the accounts' codes in the portal and revoke any you did not receive before issuing again with a new key.",
                    new Dictionary<string, object?> { ["batchId"] = reserved.EarlierResultId });
            }

            reservation = reserved.ReservationId;
        }

        var request = new OtpBatchRequest(
            body.AccountIds ?? [],
            body.PasswordMode,
            body.SignInData?.Select(s => new SignInCredentials(s.Upn, s.Password)).ToList());
        // An exception here keeps the reservation: the batch may have committed before it, so a retry with this key must
        // not issue again (it is told to check and revoke instead).
        var generated = await otps.GenerateAsync(request, actor, http.Scope(), http.RequestAborted);
        if (!generated.Succeeded)
        {
            if (reservation is { } failed)
            {
                await idempotency.ReleaseAsync(failed, CancellationToken.None);
            }

            return generated.Error switch
            {
                OtpBatchError.NoAccounts => AutomationApi.Invalid("accountIds", "Name at least one account."),
                OtpBatchError.TooManyAccounts => AutomationApi.Invalid("accountIds", "Too many accounts in one batch: split the list."),
                OtpBatchError.InvalidSignInData => AutomationApi.Invalid("signInData", "Give one upn and password per account, for exactly the accounts named."),
                OtpBatchError.AccountNotFound => AutomationApi.Problem(StatusCodes.Status422UnprocessableEntity, "account_not_found",
                    "An account does not exist or is outside this key's room groups.", "List the accounts (GET /api/v1/resource-accounts) and send their ids."),
                _ => AutomationApi.Problem(StatusCodes.Status422UnprocessableEntity, "account_not_ready",
                    "An account needs action before it can get a code.", "Give it a room group and enable it; GET /api/v1/resource-accounts shows what each one needs."),
            };
        }

        var batch = generated.Value!;
        if (reservation is { } done)
        {
            await idempotency.CompleteAsync(done, batch.BatchId, CancellationToken.None);
        }

        return TypedResults.Created(
            $"{AutomationApi.Root}/otp-batches/{batch.BatchId}",
            new OtpBatchResponse(batch.BatchId, batch.ExpiresAt, [.. batch.Items.Select(i => new IssuedCodeResponse(i.OtpId, i.AccountId, i.Upn, i.DisplayName, i.Code, i.Password))]));
    }
}
