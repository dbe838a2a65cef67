#pragma once
// Owning handles for the OpenSSL objects the auth module uses, so that every
// return path frees them. Internal to src/auth.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>

namespace agentbase::auth::ossl {

template <auto kFree>
struct Free {
  template <class T>
  void operator()(T* object) const noexcept {
    kFree(object);
  }
};

using Pkey = std::unique_ptr<EVP_PKEY, Free<&EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Free<&EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Free<&EVP_MD_CTX_free>>;
using Bio = std::unique_ptr<BIO, Free<&BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Free<&BN_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Free<&OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Free<&OSSL_PARAM_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Free<&ECDSA_SIG_free>>;

// Empties this thread's OpenSSL error queue and returns its newest entry as
// text ("" when it was empty). Failed verifications leave entries behind;
// draining them keeps one request's failure out of the next one's report.
std::string DrainErrors();

}  // namespace agentbase::auth::ossl
