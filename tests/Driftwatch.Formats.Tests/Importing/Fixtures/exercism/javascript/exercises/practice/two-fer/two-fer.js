//
// This is only a SKELETON file for the 'Two Fer' exercise. It's been provided as a
// convenience to get you started writing code faster.
//

export const twoFer = () => {
  throw new Error('Remove this line and implement the function');
};
