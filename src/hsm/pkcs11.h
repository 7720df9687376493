#pragma once
// The PKCS#11 v2.40 C API (OASIS), from p11-kit's header, in its standard-name mode.
#include <p11-kit/pkcs11.h>
